namespace EventBus.Benchmarks.Harness;

/// <summary>
/// At most <c>limit</c> messages in flight, for the callback variants: <see cref="Enter"/> before producing blocks
/// while the window is full, <see cref="Exit"/> from the delivery report makes room. Blocking, not spinning, so a
/// wait costs no CPU. A full window wakes the producer once a sixteenth of it is free again, not at every delivery
/// report: waking it per message would ping-pong the two threads and charge the raw baseline for the harness
/// (the <see cref="TaskWindow{T}"/> of the Task variants wakes when the oldest message's batch completes).
/// </summary>
internal sealed class InFlightWindow(int limit)
{
    private readonly int _resumeAt = limit - Math.Max(1, limit / 16);
    private readonly object _gate = new();
    private int _inFlight;
    private int _wakeAt = -1; // the waiter's threshold; -1 while none waits
    private long _waits;

    public long Waits => _waits;

    public void Enter()
    {
        if (Interlocked.Increment(ref _inFlight) <= limit)
        {
            return;
        }

        _waits++;
        if (!WaitUntilAtMost(_resumeAt, TimeSpan.FromMinutes(5)))
        {
            throw new TimeoutException("no delivery report for 5 minutes while the in-flight window was full");
        }
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) <= Volatile.Read(ref _wakeAt))
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Blocks until every message entered has its delivery report.</summary>
    public void WaitUntilEmpty(TimeSpan timeout)
    {
        if (!WaitUntilAtMost(0, timeout))
        {
            throw new TimeoutException($"{Volatile.Read(ref _inFlight):N0} messages still had no delivery report after {timeout.TotalSeconds:0} s");
        }
    }

    private bool WaitUntilAtMost(int inFlight, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            Volatile.Write(ref _wakeAt, inFlight);
            try
            {
                while (Volatile.Read(ref _inFlight) > inFlight)
                {
                    var left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero)
                    {
                        return false;
                    }

                    Monitor.Wait(_gate, left);
                }

                return true;
            }
            finally
            {
                Volatile.Write(ref _wakeAt, -1);
            }
        }
    }
}
