using Confluent.Kafka;

namespace EventBus.Kafka.Configuration;

/// <summary>The settings a tier gives to each of its topics unless the topic overrides them.</summary>
public sealed class TopicTierSettings
{
    /// <summary>Gets or sets the partition count.</summary>
    public int Partitions { get; set; }

    /// <summary>Gets or sets the replication factor.</summary>
    public int ReplicationFactor { get; set; }

    /// <summary>Gets or sets retention.ms; -1 keeps records forever.</summary>
    public long RetentionMs { get; set; }

    /// <summary>Gets or sets min.insync.replicas; at most <see cref="ReplicationFactor"/>.</summary>
    public int MinInsyncReplicas { get; set; }

    /// <summary>Gets or sets the topic's compression.type.</summary>
    public CompressionType CompressionType { get; set; } = CompressionType.Snappy;

    /// <summary>Gets the seed defaults of a tier.</summary>
    /// <param name="tier">The tier.</param>
    /// <returns>A new settings object with the defaults of <paramref name="tier"/>.</returns>
    public static TopicTierSettings CreateDefault(TopicTier tier) => tier switch
    {
        TopicTier.Standard => new() { Partitions = 3, ReplicationFactor = 3, RetentionMs = (long)TimeSpan.FromDays(7).TotalMilliseconds, MinInsyncReplicas = 2 },
        TopicTier.Error or TopicTier.Dlq => new() { Partitions = 1, ReplicationFactor = 3, RetentionMs = (long)TimeSpan.FromDays(30).TotalMilliseconds, MinInsyncReplicas = 1 },
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown topic tier."),
    };

    /// <inheritdoc />
    public override string ToString() =>
        $"Partitions={Partitions}, ReplicationFactor={ReplicationFactor}, RetentionMs={RetentionMs}, MinInsyncReplicas={MinInsyncReplicas}, CompressionType={CompressionType}";
}
