using System.Diagnostics;

namespace EventBus.Kafka.Producing;

/// <summary>
/// How a synchronous publish waits for its acknowledgement: it spins (yielding its core to any thread that is ready)
/// for about twice the acknowledgement time of the recent synchronous publishes, then blocks. On a near broker the
/// acknowledgement comes within that spin and the caller runs on without being woken by the scheduler, which costs
/// as much again as the round trip on a busy machine; on a far broker (recent acknowledgements slower than the
/// longest spin, 0.25 ms) it blocks at once instead of spinning for nothing.
/// </summary>
/// <remarks>
/// The recent acknowledgement time is a moving average over the synchronous publishes of one producer (an
/// <see cref="int"/> of microseconds, read and written without a lock: a lost update only shifts the average).
/// </remarks>
internal sealed class AcknowledgementWait
{
    /// <summary>The longest spin, and the recent acknowledgement time above which a wait does not spin at all.</summary>
    private const int MaxSpinMicroseconds = 250;
    private const int InitialMicroseconds = 100;
    private int _recentMicroseconds = InitialMicroseconds;

    /// <summary>Gets the moving average of the recent acknowledgement times, in microseconds.</summary>
    public int RecentMicroseconds => Volatile.Read(ref _recentMicroseconds);

    /// <summary>How long a wait spins before it blocks, given the recent acknowledgement time.</summary>
    /// <param name="recentMicroseconds">The moving average of the recent acknowledgement times.</param>
    /// <returns>Twice that, at most 0.25 ms; zero when the acknowledgements are slower than that.</returns>
    public static TimeSpan SpinBudget(int recentMicroseconds) =>
        recentMicroseconds > MaxSpinMicroseconds ? TimeSpan.Zero : TimeSpan.FromMicroseconds(Math.Min(2 * recentMicroseconds, MaxSpinMicroseconds));

    /// <summary>Waits for <paramref name="task"/>: spins within the budget, then blocks.</summary>
    /// <param name="task">The publish.</param>
    /// <param name="timeout">How long to wait in all.</param>
    /// <returns>Whether it completed in time (faulted or cancelled counts as completed).</returns>
    public bool Wait(Task task, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        var budget = SpinBudget(RecentMicroseconds);
        if (budget > TimeSpan.Zero)
        {
            var spinner = default(SpinWait);
            while (!task.IsCompleted && Stopwatch.GetElapsedTime(started) < budget)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        bool completed;
        try
        {
            completed = task.IsCompleted || task.Wait(timeout);
        }
        catch (AggregateException)
        {
            completed = true;
        }

        if (completed)
        {
            Record(Stopwatch.GetElapsedTime(started));
        }

        return completed;
    }

    /// <summary>Moves the average an eighth of the way to one acknowledgement time.</summary>
    /// <param name="elapsed">How long the acknowledgement took.</param>
    public void Record(TimeSpan elapsed)
    {
        var sample = (int)Math.Min(elapsed.TotalMicroseconds, 1_000_000);
        var recent = Volatile.Read(ref _recentMicroseconds);
        Volatile.Write(ref _recentMicroseconds, recent + ((sample - recent) / 8));
    }
}
