using Confluent.Kafka;

namespace EventBus.Kafka.Configuration;

/// <summary>A topic as it should exist: its definition with the tier defaults filled in.</summary>
/// <param name="Key">The logical key, upper case (e.g. <c>STAGE_COMPLETE</c>).</param>
/// <param name="Name">The Kafka topic name.</param>
/// <param name="Tier">The tier in force.</param>
/// <param name="Partitions">The partition count.</param>
/// <param name="ReplicationFactor">The replication factor.</param>
/// <param name="RetentionMs">retention.ms.</param>
/// <param name="MinInsyncReplicas">min.insync.replicas.</param>
/// <param name="CompressionType">compression.type.</param>
public sealed record ResolvedTopic(
    string Key,
    string Name,
    TopicTier Tier,
    int Partitions,
    int ReplicationFactor,
    long RetentionMs,
    int MinInsyncReplicas,
    CompressionType CompressionType);
