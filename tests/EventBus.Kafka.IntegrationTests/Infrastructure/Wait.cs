using System.Diagnostics;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>Waits on conditions with a deadline, never on fixed sleeps.</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        // Read once while the test runs: a wait a failed test left behind must not touch its disposed context.
        var cancellation = TestContext.Current.CancellationToken;
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            if (stopwatch.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(20, cancellation).ConfigureAwait(false);
        }
    }
}
