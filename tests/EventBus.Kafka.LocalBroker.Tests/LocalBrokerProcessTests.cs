namespace EventBus.Kafka.LocalBroker.Tests;

/// <summary>
/// The acceptance of the local broker: the tool as a process of its own, a separate Kafka client (kcat) asking it for
/// metadata, and a clean end on SIGTERM.
/// </summary>
public sealed class LocalBrokerProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Help_ExitsZero()
    {
        using var tool = LocalBrokerProcess.Start(output, "--help");

        Assert.Equal(0, await tool.WaitForExitAsync(Timeout));
        Assert.StartsWith("usage: eventbus-kafka-local", tool.Lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadCommandLine_Exits64()
    {
        using var tool = LocalBrokerProcess.Start(output, "--brokers", "none");

        Assert.Equal(64, await tool.WaitForExitAsync(Timeout));
        Assert.Contains("eventbus-kafka-local: --brokers none: give a whole number from 1 to 64", tool.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kcat_GetsMetadataFromTheTool_ThenSigtermExitsZeroAndClosesThePorts()
    {
        Kcat.SkipUnlessInstalled();
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("SIGTERM is a POSIX signal: this test runs on Linux and macOS.");
        }

        using var tool = LocalBrokerProcess.Start(output, "--brokers", "3", "--topic", "orders:6", "--topic", "payments");
        var bootstrap = await tool.WaitForExportAsync("KAFKA_BOOTSTRAP_SERVERS", Timeout);
        Assert.Contains(tool.Lines, l => l == "export KAFKA_SECURITY_PROTOCOL=PLAINTEXT");
        Assert.Equal(3, bootstrap.Split(',').Length);

        var metadata = await Kcat.RunAsync("-b", bootstrap, "-X", "security.protocol=PLAINTEXT", "-L", "-m", "30");
        output.WriteLine($"[kcat -L] exit {metadata.ExitCode}{Environment.NewLine}{metadata.StdOut}{metadata.StdErr}");

        Assert.Equal(0, metadata.ExitCode);
        Assert.Contains(" 3 brokers:", metadata.StdOut, StringComparison.Ordinal);
        foreach (var (endpoint, id) in bootstrap.Split(',').Select((e, i) => (e, i + 1)))
        {
            Assert.Contains($"broker {id} at {endpoint}", metadata.StdOut, StringComparison.Ordinal);
        }

        Assert.Contains("topic \"orders\" with 6 partitions:", metadata.StdOut, StringComparison.Ordinal);
        Assert.Contains("topic \"payments\" with 3 partitions:", metadata.StdOut, StringComparison.Ordinal);
        Assert.Contains("replicas: 1,2,3", metadata.StdOut, StringComparison.Ordinal);

        tool.Terminate();
        var exitCode = await tool.WaitForExitAsync(Timeout);

        Assert.Equal(0, exitCode);
        Assert.Equal("# eventbus-kafka-local: stopped; 3 broker(s) closed", tool.Lines[^1]);
        await LocalBrokerCommandTests.AssertClosedAsync(bootstrap);
    }
}
