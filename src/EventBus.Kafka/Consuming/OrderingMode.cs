namespace EventBus.Kafka.Consuming;

/// <summary>What order handlers see records in when <see cref="EventConsumerOptions.MaxConcurrency"/> is above 1.</summary>
public enum OrderingMode
{
    /// <summary>One record at a time per partition, in offset order; partitions run in parallel.</summary>
    Partition,

    /// <summary>One record at a time per key, in offset order; keys of one partition run in parallel.</summary>
    Key,
}
