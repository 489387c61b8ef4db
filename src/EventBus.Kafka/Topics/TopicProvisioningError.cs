using Confluent.Kafka;

namespace EventBus.Kafka.Topics;

/// <summary>A topic could not be validated, created or changed.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Code">The Kafka error, or <see cref="ErrorCode.Local_InvalidArg"/> for a specification error.</param>
/// <param name="Reason">What went wrong and what to do, naming the variable to change where one applies.</param>
public sealed record TopicProvisioningError(string Topic, ErrorCode Code, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Topic}: {Reason} ({Code})";
}
