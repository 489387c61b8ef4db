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

    /// <summary>
    /// Gets or sets what <see cref="FetchStartWatchdog"/> keeps of a partition that has received nothing yet: when it
    /// first saw it, when it acts on it next, and how long it waits after that; <see langword="null"/> until it looks.
    /// </summary>
    public FetchStartWatch? FetchStart { get; set; }

    /// <summary>Gets or sets the last offset committed (the next offset to read), -1 before the first commit.</summary>
    public long Committed { get; set; } = -1;
}
