using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// Keeps in-flight work bounded without leaving the group. The soft bound (the poll loop waits for handlers instead
/// of taking more records) does most of the work; a partition that hogs half the bound for a while is paused on its
/// own, and a hard bound (twice <c>KAFKA_CONSUMER_MAX_POLL_RECORDS</c>) pauses fetching altogether. Poll thread only.
/// </summary>
/// <remarks>
/// Pausing is rare by design: librdkafka drops what it prefetched for a paused partition and fetches it again on
/// resume, and it remembers a pause across unassign and reassign, so released partitions are always resumed.
/// </remarks>
internal sealed class BackPressure(int maxInFlight, ConsumerCounters counters, ILogger logger)
{
    private readonly List<PartitionState> _pausedPartitions = [];
    private bool _paused;
    private bool _assignmentChanged;
    private int _partitionCap = int.MaxValue;

    /// <summary>Gets the in-flight bound (<c>KAFKA_CONSUMER_MAX_POLL_RECORDS</c>).</summary>
    public int MaxInFlight => maxInFlight;

    /// <summary>Gets a value indicating whether anything is paused (the poll loop then polls more often).</summary>
    public bool IsPausing => _paused || _pausedPartitions.Count > 0;

    /// <summary>Gets the records in flight of partitions not paused on their own.</summary>
    /// <returns>The count.</returns>
    public long ActiveInFlight()
    {
        var inFlight = Interlocked.Read(ref counters.InFlight);
        foreach (var state in _pausedPartitions)
        {
            inFlight -= state.InFlight;
        }

        return inFlight;
    }

    /// <summary>The assignment changed: the per-partition share of the bound follows the partition count.</summary>
    /// <param name="assignedPartitions">The partitions now assigned.</param>
    /// <param name="added">Whether partitions were added (a hard pause must cover them too).</param>
    public void OnAssignmentChanged(int assignedPartitions, bool added)
    {
        _partitionCap = assignedPartitions > 1 ? Math.Max(1, maxInFlight / 2) : int.MaxValue;
        _assignmentChanged |= added;
    }

    /// <summary>
    /// Pauses partitions holding half the bound on their own, so one partition's backlog (fetches come in
    /// per-partition chunks) cannot starve the others. Called when the bound has held for a while.
    /// </summary>
    /// <param name="consumer">The consumer.</param>
    /// <param name="owned">The partitions owned.</param>
    public void PauseHogs(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<PartitionState> owned)
    {
        foreach (var state in owned)
        {
            if (state.InFlight >= _partitionCap && !state.Paused)
            {
                state.Paused = true;
                _pausedPartitions.Add(state);
                consumer.Pause([state.TopicPartition]);
            }
        }
    }

    /// <summary>Resumes partitions that caught up, and applies the hard bound and the commit stall.</summary>
    /// <param name="consumer">The consumer.</param>
    /// <param name="commitStalled">
    /// Whether commits are refused while many records were handled since the last one that succeeded
    /// (<see cref="OffsetCommitter.IsStalled"/>): fetching waits for a commit to succeed.
    /// </param>
    /// <param name="uncommitted">The records handled since the last successful commit (for the log).</param>
    public void Apply(IConsumer<byte[]?, byte[]?> consumer, bool commitStalled = false, long uncommitted = 0)
    {
        for (var i = _pausedPartitions.Count - 1; i >= 0; i--)
        {
            var state = _pausedPartitions[i];
            if (state.Removed || state.Revoked)
            {
                _pausedPartitions.RemoveAt(i);
            }
            else if (state.InFlight <= maxInFlight / 4)
            {
                state.Paused = false;
                _pausedPartitions.RemoveAt(i);
                if (!_paused)
                {
                    consumer.Resume([state.TopicPartition]);
                }
            }
        }

        // Hard bound, for protection only: the soft bound keeps in-flight work near maxInFlight.
        var inFlight = Interlocked.Read(ref counters.InFlight);
        if (!_paused && (inFlight >= 2L * maxInFlight || commitStalled))
        {
            _paused = true;
            _assignmentChanged = true;
            Volatile.Write(ref counters.Paused, 1);
            if (commitStalled)
            {
                Log.PausedForCommit(logger, uncommitted);
            }
            else
            {
                Log.Paused(logger, inFlight, maxInFlight);
            }
        }
        else if (_paused && inFlight <= maxInFlight && !commitStalled)
        {
            _paused = false;
            Volatile.Write(ref counters.Paused, 0);
            var pausedOnTheirOwn = _pausedPartitions.Select(p => p.TopicPartition).ToHashSet();
            consumer.Resume(consumer.Assignment.Where(tp => !pausedOnTheirOwn.Contains(tp)).ToList());
            Log.Resumed(logger, inFlight);
        }

        if (_paused && _assignmentChanged)
        {
            // Pausing drops what librdkafka prefetched; fetching restarts from the position after the last record taken.
            _assignmentChanged = false;
            consumer.Pause(consumer.Assignment);
        }
    }

    /// <summary>Clears the pause of partitions going away, or one that comes back later would stay paused for good.</summary>
    /// <param name="consumer">The consumer.</param>
    /// <param name="states">The partitions released.</param>
    public void Release(IConsumer<byte[]?, byte[]?> consumer, List<PartitionState> states)
    {
        var paused = states.Where(s => s.Paused || _paused).Select(s => s.TopicPartition).ToList();
        if (paused.Count > 0)
        {
            try
            {
                consumer.Resume(paused);
            }
            catch (KafkaException)
            {
                // Already unassigned: nothing to clear.
            }
        }

        _pausedPartitions.RemoveAll(states.Contains);
    }
}
