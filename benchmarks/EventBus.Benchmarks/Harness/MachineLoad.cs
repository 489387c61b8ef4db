using System.Globalization;

namespace EventBus.Benchmarks.Harness;

/// <summary>
/// The machine's CPU counters from <c>/proc/stat</c> (Linux; zero elsewhere): with this process's own CPU time
/// taken out, how many cores other processes kept busy during a run, and how much the hypervisor stole. On a
/// shared machine this says which runs were disturbed.
/// </summary>
internal readonly record struct MachineLoad(double BusySeconds, double StealSeconds)
{
    private const double TicksPerSecond = 100; // USER_HZ

    public static MachineLoad Take()
    {
        try
        {
            // cpu  user nice system idle iowait irq softirq steal guest guest_nice
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            double Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture) / TicksPerSecond;
            return new MachineLoad(Field(1) + Field(2) + Field(3) + Field(6) + Field(7), Field(8));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return default;
        }
    }
}
