using System.Net.Sockets;
using Confluent.Kafka;
using EventBus.Kafka.LocalBroker;

namespace EventBus.Kafka.LocalBroker.Tests;

/// <summary>The command in this process: what it prints, the topics it creates, what it leaves when it stops.</summary>
public sealed class LocalBrokerCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunAsync_Help_PrintsUsageAndReturnsZero()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await LocalBrokerCommand.RunAsync(["--help"], output, error, TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("usage: eventbus-kafka-local", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task RunAsync_BadCommandLine_Returns64WithTheProblemAndTheUsage()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await LocalBrokerCommand.RunAsync(["--brokers", "zero"], output, error, TestContext.Current.CancellationToken);

        Assert.Equal(64, exitCode);
        Assert.StartsWith("eventbus-kafka-local: --brokers zero: give a whole number from 1 to 64", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage: eventbus-kafka-local", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task RunAsync_UntilStopped_ServesTheTopicsThenClosesThePortsAndRemovesTheEnvFile()
    {
        var envFile = Path.Combine(Path.GetTempPath(), $"eventbus-kafka-local-{Guid.NewGuid():N}.env");
        using var output = new LockedStringWriter();
        using var error = new StringWriter();
        using var stop = new CancellationTokenSource();

        var run = LocalBrokerCommand.RunAsync(["--brokers", "2", "--topic", "orders:6", "--env-file", envFile], output, error, stop.Token);
        var bootstrap = await WaitForBootstrapAsync(output, run);

        Assert.Contains("# topic orders: 6 partition(s), replication 2", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("export KAFKA_SECURITY_PROTOCOL=PLAINTEXT", output.ToString(), StringComparison.Ordinal);
        Assert.Equal([$"KAFKA_BOOTSTRAP_SERVERS={bootstrap}", "KAFKA_SECURITY_PROTOCOL=PLAINTEXT"], await File.ReadAllLinesAsync(envFile, TestContext.Current.CancellationToken));
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap, SecurityProtocol = SecurityProtocol.Plaintext }).Build())
        {
            var metadata = admin.GetMetadata("orders", TimeSpan.FromSeconds(10));
            Assert.Equal(2, metadata.Brokers.Count);
            Assert.Equal(6, Assert.Single(metadata.Topics).Partitions.Count);
        }

        await stop.CancelAsync();
        var exitCode = await run.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.EndsWith("# eventbus-kafka-local: stopped; 2 broker(s) closed" + Environment.NewLine, output.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(envFile), "the env file names ports that are closed now: it must be gone");
        await AssertClosedAsync(bootstrap);
        Assert.Empty(error.ToString());
    }

    internal static async Task AssertClosedAsync(string bootstrap)
    {
        foreach (var endpoint in bootstrap.Split(','))
        {
            var colon = endpoint.LastIndexOf(':');
            using var client = new TcpClient();
            var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), TestContext.Current.CancellationToken).AsTask());
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
    }

    private static async Task<string> WaitForBootstrapAsync(LockedStringWriter output, Task<int> run)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (run.IsCompleted)
            {
                Assert.Fail($"the command ended early with exit code {await run}: {output}");
            }

            var line = output.ToString().Split(Environment.NewLine).FirstOrDefault(l => l.StartsWith("export KAFKA_BOOTSTRAP_SERVERS=", StringComparison.Ordinal));
            if (line is not null && output.ToString().Contains("# running until", StringComparison.Ordinal))
            {
                return line["export KAFKA_BOOTSTRAP_SERVERS=".Length..];
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"no bootstrap servers printed within {Timeout.TotalSeconds:0} s: {output}");
        return string.Empty;
    }

    /// <summary>Text the command writes while the test reads it; every write goes through <see cref="Write(char)"/> or the two array forms.</summary>
    private sealed class LockedStringWriter : TextWriter
    {
        private readonly Lock _gate = new();
        private readonly System.Text.StringBuilder _text = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_gate)
            {
                _text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                _text.Append(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_gate)
            {
                _text.Append(buffer, index, count);
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return _text.ToString();
            }
        }
    }
}
