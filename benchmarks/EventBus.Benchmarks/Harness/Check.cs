namespace EventBus.Benchmarks.Harness;

internal static class Check
{
    /// <summary>A benchmark that lost messages measured nothing: stop.</summary>
    public static void That(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark check failed: " + what);
        }
    }
}
