using System.Collections.Concurrent;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// The one way back from the workers to the poll thread: a worker posts each record's completion here, and the poll
/// thread applies them — in-flight counts, then the offset committer. Workers never touch partition state.
/// </summary>
internal sealed class CompletionQueue(OffsetCommitter committer, ConsumerCounters counters)
{
    private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentQueue<Completion> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private int _waiting;

    /// <summary>Posts a record's completion: handled or dead-lettered (<paramref name="done"/>), or dropped. Any thread.</summary>
    /// <param name="state">The record's partition.</param>
    /// <param name="offset">The record's offset.</param>
    /// <param name="done">Whether its offset may be committed.</param>
    public void Post(PartitionState state, long offset, bool done)
    {
        _queue.Enqueue(new Completion(state, offset, done));
        if (Volatile.Read(ref _waiting) != 0)
        {
            _signal.Release();
        }
    }

    /// <summary>Applies every posted completion. Poll thread only.</summary>
    public void Drain()
    {
        while (_queue.TryDequeue(out var completion))
        {
            Interlocked.Decrement(ref counters.InFlight);
            var state = completion.State;
            if (state.Removed)
            {
                continue; // a late completion of a partition that went away
            }

            state.Finished++;
            if (completion.Done)
            {
                committer.Completed(state, completion.Offset);
            }
        }
    }

    /// <summary>Waits until a completion is posted or the timeout passes. Poll thread only.</summary>
    /// <param name="timeout">The longest wait.</param>
    public void WaitForAny(TimeSpan timeout)
    {
        Interlocked.Exchange(ref _waiting, 1);
        try
        {
            if (_queue.IsEmpty)
            {
                _signal.Wait(timeout);
            }
        }
        finally
        {
            Volatile.Write(ref _waiting, 0);
        }
    }

    /// <summary>Waits until the partitions have nothing in flight, applying completions meanwhile. Poll thread only.</summary>
    /// <param name="states">The partitions.</param>
    /// <param name="timeout">The longest wait; zero only applies what is posted and checks.</param>
    /// <returns>Whether they have nothing in flight.</returns>
    public bool WaitForInFlight(IReadOnlyCollection<PartitionState> states, TimeSpan timeout)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            Drain();
            if (states.All(s => s.InFlight == 0))
            {
                return true;
            }

            var remaining = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            WaitForAny(remaining < WaitSlice ? remaining : WaitSlice);
        }
    }
}
