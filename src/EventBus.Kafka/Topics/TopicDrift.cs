namespace EventBus.Kafka.Topics;

/// <summary>An existing topic differs from its specification in one setting.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Setting">The setting: <c>partitions</c>, <c>replication.factor</c>, <c>retention.ms</c>, <c>min.insync.replicas</c> or <c>compression.type</c>.</param>
/// <param name="Expected">The specified value.</param>
/// <param name="Actual">The value on the cluster.</param>
/// <param name="Resolution">What was (or, in a plan, would be) done: a reconcile action, or why nothing can be done.</param>
public sealed record TopicDrift(string Topic, string Setting, string Expected, string Actual, string Resolution)
{
    /// <inheritdoc />
    public override string ToString() => $"{Topic}: {Setting} is {Actual}, expected {Expected} ({Resolution})";
}
