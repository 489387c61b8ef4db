namespace EventBus.Kafka.Configuration;

/// <summary>
/// One logical topic: its name (<c>KAFKA_TOPIC_{KEY}</c>) and optional per-topic overrides of its tier's settings.
/// </summary>
public sealed class TopicDefinition
{
    /// <summary>Gets or sets the Kafka topic name.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the tier (<c>_TIER</c>); <see langword="null"/> picks it from the key (ERRORS → error, DLQ → dlq, others standard).</summary>
    public TopicTier? Tier { get; set; }

    /// <summary>Gets or sets the partition count override (<c>_PARTITIONS</c>).</summary>
    public int? Partitions { get; set; }

    /// <summary>Gets or sets the replication factor override (<c>_REPLICATION</c>).</summary>
    public int? ReplicationFactor { get; set; }

    /// <summary>Gets or sets the retention.ms override (<c>_RETENTION_MS</c>).</summary>
    public long? RetentionMs { get; set; }

    /// <summary>Gets or sets the min.insync.replicas override (<c>_MIN_INSYNC_REPLICAS</c>).</summary>
    public int? MinInsyncReplicas { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"Name={Name}, Tier={Tier}, Partitions={Partitions}, ReplicationFactor={ReplicationFactor}, RetentionMs={RetentionMs}, MinInsyncReplicas={MinInsyncReplicas}";
}
