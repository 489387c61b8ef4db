using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Topics;

/// <summary>A topic could not be validated, created or changed, or the cluster could not be reached.</summary>
/// <param name="Topic">The topic, or <see cref="Cluster"/> for a failure of the whole run (the cluster unreachable, TLS or authentication failing).</param>
/// <param name="Code">The Kafka error, or <see cref="ErrorCode.Local_InvalidArg"/> for a specification error.</param>
/// <param name="Reason">What went wrong and what to do, naming the variable to change where one applies.</param>
/// <param name="Diagnosis">The diagnosed client failure (its class, cause and the variables to check), when the error is one.</param>
public sealed record TopicProvisioningError(string Topic, ErrorCode Code, string Reason, KafkaDiagnosis? Diagnosis = null)
{
    /// <summary>The <see cref="Topic"/> of an error that concerns the whole cluster rather than one topic.</summary>
    public const string Cluster = "(cluster)";

    /// <inheritdoc />
    public override string ToString() => $"{Topic}: {Reason} ({Code})";
}
