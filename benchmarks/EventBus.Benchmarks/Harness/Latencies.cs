using System.Diagnostics;

namespace EventBus.Benchmarks.Harness;

/// <summary>Per-message latencies of a one-at-a-time run, preallocated so that recording them allocates nothing.</summary>
internal sealed class Latencies(int count)
{
    private readonly double[] _ms = new double[count];

    public void Record(int i, long startTimestamp) => _ms[i] = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;

    public (double P50, double P99) Percentiles()
    {
        var sorted = _ms.Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]);
    }
}
