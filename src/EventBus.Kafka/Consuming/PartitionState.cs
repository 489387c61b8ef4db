using System.Collections.Concurrent;
using Confluent.Kafka;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// One assigned partition. The lanes are shared with workers; everything else belongs to the poll thread, which
/// alone talks to the Confluent consumer, so commits, pauses and offset tracking need no locks.
/// </summary>
internal sealed class PartitionState
{
    public PartitionState(TopicPartition topicPartition, ConsumerRoute route, int laneCount)
    {
        TopicPartition = topicPartition;
        Route = route;
        Cancellation = new CancellationTokenSource();
        Lanes = new Lane[laneCount];
        for (var i = 0; i < laneCount; i++)
        {
            Lanes[i] = new Lane(this);
        }
    }

    public TopicPartition TopicPartition { get; }

    public ConsumerRoute Route { get; }

    public Lane[] Lanes { get; }

    /// <summary>
    /// Gets the token handlers of this partition get: cancelled when it is revoked or lost, or when waiting for it ran
    /// out. Linked to nothing and never disposed, so reading its token is always safe.
    /// </summary>
    public CancellationTokenSource Cancellation { get; }

    /// <summary>Gets or sets a value indicating whether the partition is going away: records not yet started are dropped.</summary>
    public volatile bool Revoked;

    /// <summary>Gets or sets a value indicating whether the partition was removed: late completions are ignored.</summary>
    public bool Removed { get; set; }

    public OffsetTracker Tracker { get; } = new();

    /// <summary>Gets or sets a value indicating whether fetching of this partition is paused because its own backlog is full.</summary>
    public bool Paused { get; set; }

    public long Dispatched { get; set; }

    public long Finished { get; set; }

    public long InFlight => Dispatched - Finished;

    /// <summary>Gets or sets the last offset committed (the next offset to read), -1 before the first commit.</summary>
    public long Committed { get; set; } = -1;
}

/// <summary>Records of a partition (or of a key group in it) handled one at a time, in order.</summary>
internal sealed class Lane(PartitionState owner)
{
    public PartitionState Owner { get; } = owner;

    public ConcurrentQueue<ConsumeResult<byte[]?, byte[]?>> Queue { get; } = new();

    /// <summary>1 while a worker drains the lane.</summary>
    public int Running;
}

/// <summary>
/// The highest contiguous completed offset of a partition. Offsets are added in dispatch order (ascending);
/// completions may arrive out of order (key ordering); the committable offset only moves past completed ones.
/// </summary>
internal sealed class OffsetTracker
{
    private readonly Queue<long> _pending = new();
    private readonly HashSet<long> _doneOutOfOrder = [];

    /// <summary>Gets the offset to commit (next to read), or -1 when nothing completed yet.</summary>
    public long Committable { get; private set; } = -1;

    public void Add(long offset) => _pending.Enqueue(offset);

    public void Complete(long offset)
    {
        if (_pending.Count > 0 && _pending.Peek() == offset)
        {
            _pending.Dequeue();
            Committable = offset + 1;
            while (_pending.Count > 0 && _doneOutOfOrder.Remove(_pending.Peek()))
            {
                Committable = _pending.Dequeue() + 1;
            }
        }
        else
        {
            _doneOutOfOrder.Add(offset);
        }
    }
}

/// <summary>A record finished (done) or was dropped without completing (its partition went away).</summary>
internal readonly record struct Completion(PartitionState State, long Offset, bool Done);
