using System.Globalization;

namespace EventBus.Kafka.Topics;

/// <summary>The specification a topic is (or, in a plan, would be) created with.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partitions">The partition count.</param>
/// <param name="ReplicationFactor">The replication factor.</param>
/// <param name="Tier">The tier it comes from.</param>
/// <param name="Configs">The topic configs set at creation (<c>retention.ms</c>, <c>min.insync.replicas</c>, <c>compression.type</c>).</param>
public sealed record TopicPlan(string Topic, int Partitions, int ReplicationFactor, string Tier, IReadOnlyDictionary<string, string> Configs)
{
    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Topic} ({Partitions} partition(s), replication factor {ReplicationFactor}, tier {Tier}") +
        string.Concat(Configs.Select(c => ", " + c.Key + "=" + c.Value)) + ")";
}
