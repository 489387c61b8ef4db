using System.Globalization;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>The process's memory after a full, compacting collection: the managed heap and the resident set (native included).</summary>
internal readonly record struct ProcessMemory(long HeapBytes, long ResidentBytes)
{
    public static ProcessMemory Take()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return new ProcessMemory(GC.GetTotalMemory(forceFullCollection: false), Resident());
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"heap {HeapBytes / 1e6:0.0} MB, RSS {ResidentBytes / 1e6:0.0} MB");

    private static long Resident()
    {
        // VmRSS of /proc/self/status where there is one (Linux); the working set elsewhere.
        if (File.Exists("/proc/self/status"))
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
