using System.Diagnostics;

namespace EventBus.Benchmarks.Harness;

/// <summary>
/// A snapshot of the process's clock, CPU time, managed allocations and collections; the difference of two is a run.
/// CPU time is <see cref="Environment.CpuUsage"/>: the process's user + system time over every thread (what
/// <see cref="Process.TotalProcessorTime"/> reports, read with getrusage, so in microseconds rather than /proc ticks).
/// </summary>
internal readonly record struct ResourceSnapshot(long Timestamp, TimeSpan Cpu, double MockBrokerCpuSeconds, long Allocated, int Gen0, int Gen1, int Gen2, MachineLoad Machine)
{
    public static ResourceSnapshot Take() => new(
        Stopwatch.GetTimestamp(),
        Environment.CpuUsage.TotalTime,
        MockBrokerThreads.CpuSeconds(),
        GC.GetTotalAllocatedBytes(precise: true),
        GC.CollectionCount(0),
        GC.CollectionCount(1),
        GC.CollectionCount(2),
        MachineLoad.Take());

    /// <summary>Collects garbage left by earlier runs, so that no run pays for another's.</summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    public Measurement Until(ResourceSnapshot end, string variant, RunContext run, int messages, long windowWaits = 0, double? p50Ms = null, double? p99Ms = null)
    {
        var seconds = Stopwatch.GetElapsedTime(Timestamp, end.Timestamp).TotalSeconds;
        var cpu = (end.Cpu - Cpu).TotalSeconds;
        return new Measurement
        {
            Variant = variant,
            Round = run.Round,
            Position = run.Position,
            Messages = messages,
            Seconds = seconds,
            CpuSeconds = cpu,
            MockBrokerCpuSeconds = end.MockBrokerCpuSeconds - MockBrokerCpuSeconds,
            AllocatedBytes = end.Allocated - Allocated,
            Gen0Collections = end.Gen0 - Gen0,
            Gen1Collections = end.Gen1 - Gen1,
            Gen2Collections = end.Gen2 - Gen2,
            WindowWaits = windowWaits,
            P50Ms = p50Ms,
            P99Ms = p99Ms,
            OtherProcessesCores = Math.Max(0, (end.Machine.BusySeconds - Machine.BusySeconds - cpu) / seconds),
            StealCores = (end.Machine.StealSeconds - Machine.StealSeconds) / seconds,
        };
    }
}
