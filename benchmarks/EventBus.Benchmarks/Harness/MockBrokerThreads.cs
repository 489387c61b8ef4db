using System.Globalization;

namespace EventBus.Benchmarks.Harness;

/// <summary>
/// The CPU time of librdkafka's mock cluster, which runs in this process on one thread named <c>rdk:mock</c>:
/// read from <c>/proc/self/task/*/stat</c> (Linux; 10 ms ticks), so that the clients' own CPU can be told
/// apart from the in-process broker's. Zero elsewhere, and on a real broker.
/// </summary>
internal static class MockBrokerThreads
{
    private const double TicksPerSecond = 100; // USER_HZ, fixed by the Linux ABI for /proc
    private static int[]? threadIds;

    /// <summary>Finds the mock thread(s); call once the cluster runs.</summary>
    public static void Discover()
    {
        if (!Directory.Exists("/proc/self/task"))
        {
            threadIds = [];
            return;
        }

        var found = new List<int>();
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).Trim() == "rdk:mock")
                {
                    found.Add(int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }

        threadIds = [.. found];
    }

    public static int Count => threadIds?.Length ?? 0;

    /// <summary>The mock threads' CPU time so far, in seconds.</summary>
    public static double CpuSeconds()
    {
        double total = 0;
        foreach (var id in threadIds ?? [])
        {
            try
            {
                // Fields after the ")" that ends the thread name: state is field 3, utime 14 and stime 15.
                var stat = File.ReadAllText($"/proc/self/task/{id}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            }
            catch (IOException)
            {
                // The cluster is gone.
            }
        }

        return total;
    }
}
