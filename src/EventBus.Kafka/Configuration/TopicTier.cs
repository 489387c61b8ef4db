namespace EventBus.Kafka.Configuration;

/// <summary>The tier of a topic, which gives its default partitions, replication, retention and min.insync.replicas.</summary>
public enum TopicTier
{
    /// <summary>Event topics: 3 partitions, RF 3, 7 days, min ISR 2.</summary>
    Standard,

    /// <summary>Error-event topics: 1 partition, RF 3, 30 days, min ISR 1. The default tier of key <c>ERRORS</c>.</summary>
    Error,

    /// <summary>Dead-letter topics: 1 partition, RF 3, 30 days, min ISR 1. The default tier of key <c>DLQ</c>.</summary>
    Dlq,
}
