using Confluent.Kafka;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>
/// The records published for the completed records of one assigned partition (one generation of it: a new one after
/// each assignment or restart), by input offset, until a commit cycle takes those below the committable offset and
/// produces them, in offset order, into the transaction that commits that offset. Closed when the partition goes: what
/// is added after that is dropped. Workers add; the poll thread takes. Thread-safe.
/// </summary>
internal sealed class PartitionOutputs(TopicPartition partition, TransactionCounters? counters = null)
{
    private readonly object _gate = new();
    private readonly SortedDictionary<long, List<OutgoingRecord>> _byOffset = [];
    private long _firstOffset = long.MaxValue;
    private bool _closed;

    public TopicPartition Partition { get; } = partition;

    /// <summary>Gets the lowest input offset seen in this generation, or -1.</summary>
    public long FirstOffset
    {
        get
        {
            lock (_gate)
            {
                return _firstOffset == long.MaxValue ? -1 : _firstOffset;
            }
        }
    }

    /// <summary>Notes an input offset of this generation (for where to start over when nothing was committed).</summary>
    /// <param name="offset">The offset.</param>
    public void Observe(long offset)
    {
        lock (_gate)
        {
            if (offset < _firstOffset)
            {
                _firstOffset = offset;
            }
        }
    }

    /// <summary>Adds what a completed record published.</summary>
    /// <param name="offset">The input record's offset.</param>
    /// <param name="records">The records.</param>
    /// <returns>False when the partition went away (the records are dropped).</returns>
    public bool TryAdd(long offset, IReadOnlyCollection<OutgoingRecord> records)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            if (records.Count == 0)
            {
                return true;
            }

            if (counters is not null)
            {
                Interlocked.Add(ref counters.OutputsWaiting, records.Count);
            }

            if (_byOffset.TryGetValue(offset, out var existing))
            {
                existing.AddRange(records);
            }
            else
            {
                _byOffset[offset] = [.. records];
            }

            return true;
        }
    }

    /// <summary>Takes the records of every input offset below <paramref name="committable"/>, in offset order.</summary>
    /// <param name="committable">The offset the transaction commits (the next to read).</param>
    /// <returns>The records.</returns>
    public List<OutgoingRecord> TakeBelow(long committable)
    {
        var taken = new List<OutgoingRecord>();
        lock (_gate)
        {
            List<long>? done = null;
            foreach (var (offset, records) in _byOffset)
            {
                if (offset >= committable)
                {
                    break;
                }

                taken.AddRange(records);
                (done ??= []).Add(offset);
            }

            done?.ForEach(o => _byOffset.Remove(o));
            if (counters is not null)
            {
                Interlocked.Add(ref counters.OutputsWaiting, -taken.Count);
            }
        }

        return taken;
    }

    /// <summary>Drops everything and refuses what comes later.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            if (counters is not null)
            {
                Interlocked.Add(ref counters.OutputsWaiting, -_byOffset.Values.Sum(r => (long)r.Count));
            }

            _byOffset.Clear();
        }
    }
}
