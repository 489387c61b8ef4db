using System.Diagnostics;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>The counters of exactly-once mode, updated with <see cref="Interlocked"/>; read as one <see cref="ExactlyOnceStatistics"/>.</summary>
internal sealed class TransactionCounters
{
    // Fields, so they can be passed by ref to Interlocked.
    public long Committed;
    public long Aborted;
    public long Fenced;
    public long OutputsCommitted;
    public long OutputsAborted;
    public long OutputsWaiting;
    public string? LastError;
    public long LastErrorAtTicks;
    public long Cycles;
    public long CycleTicksTotal;
    public long CycleTicksLast;
    public long CycleTicksMax;
    public int Producers;
    public int Path = -1;

    /// <summary>Records one commit cycle's duration.</summary>
    /// <param name="elapsedTicks">Its duration in <see cref="Stopwatch"/> ticks.</param>
    public void CycleDone(long elapsedTicks)
    {
        Interlocked.Increment(ref Cycles);
        Interlocked.Add(ref CycleTicksTotal, elapsedTicks);
        Interlocked.Exchange(ref CycleTicksLast, elapsedTicks);
        long max;
        while (elapsedTicks > (max = Interlocked.Read(ref CycleTicksMax)) && Interlocked.CompareExchange(ref CycleTicksMax, elapsedTicks, max) != max)
        {
        }
    }

    /// <summary>Takes a snapshot.</summary>
    /// <returns>The statistics.</returns>
    public ExactlyOnceStatistics Snapshot()
    {
        static double Ms(long ticks) => ticks * 1_000.0 / Stopwatch.Frequency;
        var cycles = Interlocked.Read(ref Cycles);
        var path = Volatile.Read(ref Path);
        return new ExactlyOnceStatistics(
            path < 0 ? "not chosen yet" : ((TransactionPath)path).ToString(),
            Interlocked.Read(ref Committed),
            Interlocked.Read(ref Aborted),
            Interlocked.Read(ref Fenced),
            cycles,
            Ms(Interlocked.Read(ref CycleTicksLast)),
            cycles == 0 ? 0 : Ms(Interlocked.Read(ref CycleTicksTotal)) / cycles,
            Ms(Interlocked.Read(ref CycleTicksMax)),
            Volatile.Read(ref Producers));
    }
}
