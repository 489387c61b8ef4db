using System.Collections.Concurrent;
using Confluent.Kafka;

namespace EventBus.Kafka.Consuming;

/// <summary>Records of a partition (or of a key group in it) handled one at a time, in order.</summary>
internal sealed class Lane(PartitionState owner)
{
    public PartitionState Owner { get; } = owner;

    public ConcurrentQueue<ConsumeResult<byte[]?, byte[]?>> Queue { get; } = new();

    /// <summary>1 while a worker drains the lane.</summary>
    public int Running;
}
