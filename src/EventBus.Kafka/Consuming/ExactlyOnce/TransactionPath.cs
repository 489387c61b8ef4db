namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>How the consumer's transactions are fenced against a zombie instance, picked by broker version.</summary>
internal enum TransactionPath
{
    /// <summary>
    /// One transactional producer per assigned input partition, <c>transactional.id</c> stable per group, topic and
    /// partition: the new owner's InitTransactions fences the old one. Works on every broker with transactions (0.11+);
    /// the path for brokers before 2.5 (no KIP-447).
    /// </summary>
    ProducerPerPartition,

    /// <summary>
    /// One transactional producer for the whole consumer; the consumer group metadata sent with the offsets fences a
    /// zombie (KIP-447, brokers 2.5 and later).
    /// </summary>
    GroupMetadata,
}
