using System.Net;
using System.Net.Sockets;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;
using EventBus.Kafka.Tools;

namespace EventBus.Kafka.IntegrationTests.Failures;

/// <summary><c>eventbus-topics</c>'s failure handling: --help, exit 1 with the errors on stderr too, the plan's specifications.</summary>
public sealed class TopicsCommandFailureTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_ExitsZero_UsageOnStdout(string flag)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await TopicsCommand.RunAsync([flag], [], stdout, stderr, TestContext.Current.CancellationToken);

        Assert.Equal(TopicsCommand.Success, exit);
        Assert.StartsWith("usage: eventbus-topics", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("exit codes", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, stderr.ToString());
    }

    [Fact]
    public async Task SeparateProcess_Help_ExitsZero()
    {
        var run = await TopicsToolProcess.RunAsync([], "--help");

        Assert.Equal(TopicsCommand.Success, run.ExitCode);
        Assert.Contains("usage: eventbus-topics", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_Exit1WithinTheCreationTimeout_ErrorsOnStderrTooNamingTheVariable()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var variables = new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:" + port,
            ["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT",
            ["SERVICE_NAME"] = "cli-down",
            ["KAFKA_TOPIC_CREATION_TIMEOUT"] = "2",
        };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var exit = await TopicsCommand.RunAsync(["verify"], variables, stdout, stderr, TestContext.Current.CancellationToken);

        output.WriteLine($"exit {exit} after {clock.Elapsed.TotalSeconds:0.0} s{Environment.NewLine}{stdout}{stderr}");
        Assert.Equal(TopicsCommand.Failed, exit);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        Assert.Contains("error (cluster): the cluster's metadata could not be read within", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("error (cluster)", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("KAFKA_BOOTSTRAP_SERVERS", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("nothing listens at", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_ShowsPartitionsReplicationAndConfigsOfEachTopicToCreate()
    {
        await using var cluster = new MockKafkaCluster(3);
        var variables = new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = cluster.BootstrapServers,
            ["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT",
            ["SERVICE_NAME"] = "billing",
            ["KAFKA_TOPIC_INVOICES"] = "billing.invoices",
            ["KAFKA_TOPIC_INVOICES_PARTITIONS"] = "6",
            ["KAFKA_TOPIC_ERRORS"] = "billing.errors",
        };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await TopicsCommand.RunAsync(["plan"], variables, stdout, stderr, TestContext.Current.CancellationToken);

        output.WriteLine(stdout.ToString());
        Assert.Equal(TopicsCommand.Success, exit);
        var text = stdout.ToString();
        Assert.Contains("create billing.invoices (6 partition(s), replication factor 3, tier standard, retention.ms=604800000, min.insync.replicas=2, compression.type=snappy)", text, StringComparison.Ordinal);
        Assert.Contains("create billing.errors (1 partition(s), replication factor 3, tier error, retention.ms=2592000000, min.insync.replicas=1, compression.type=snappy)", text, StringComparison.Ordinal);
        Assert.Contains("create billing-dlq (1 partition(s), replication factor 3, tier dlq", text, StringComparison.Ordinal);
    }
}
