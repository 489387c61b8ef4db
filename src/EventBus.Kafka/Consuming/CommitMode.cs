namespace EventBus.Kafka.Consuming;

/// <summary>When completed offsets are committed.</summary>
public enum CommitMode
{
    /// <summary>Every <see cref="EventConsumerOptions.CommitInterval"/> or <see cref="EventConsumerOptions.CommitBatchSize"/> completed records, whichever comes first; always on revoke and on shutdown.</summary>
    Batched,

    /// <summary>After every completed record, synchronously. Fewer duplicates after a crash, much lower throughput.</summary>
    PerMessage,
}
