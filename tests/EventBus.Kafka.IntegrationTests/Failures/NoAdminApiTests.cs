using System.Diagnostics;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;
using EventBus.Kafka.Tools;
using EventBus.Kafka.Topics;

namespace EventBus.Kafka.IntegrationTests.Failures;

/// <summary>
/// A cluster with no controller, so no admin API (librdkafka's mock cluster): reported at once, not after
/// KAFKA_TOPIC_CREATION_TIMEOUT (30 s by default), whether KAFKA_TOPIC_AUTO_CREATE is true or false.
/// </summary>
public sealed class NoAdminApiTests(ITestOutputHelper output)
{
    // The report waits AdminConnection.ControllerWait (1.5 s) for a controller; the rest is margin for a loaded
    // machine, still a third of the 30 s creation timeout this guards against.
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task MockCluster_ProvisionAsync_ReportsNoAdminApiWithinSeconds_NotAfterTheDefaultCreationTimeout(string autoCreate)
    {
        await using var cluster = new MockKafkaCluster(3);
        cluster.CreateTopic("noadmin.events", 3, 3);
        var options = KafkaTestBroker.CreateOptions(cluster.BootstrapServers, "noadmin",
            ("KAFKA_TOPIC_EVENTS", "noadmin.events"), ("KAFKA_TOPIC_REQUESTS", "noadmin.requests"), ("KAFKA_TOPIC_AUTO_CREATE", autoCreate));
        Assert.Equal(TimeSpan.FromSeconds(30), options.Topics.CreationTimeout);

        var clock = Stopwatch.StartNew();
        TopicProvisioningReport report;
        using (var provisioner = new TopicProvisioner(options))
        {
            report = await provisioner.ProvisionAsync(TestContext.Current.CancellationToken);
        }

        var elapsed = clock.Elapsed;
        output.WriteLine($"KAFKA_TOPIC_AUTO_CREATE={autoCreate}: {elapsed.TotalSeconds:0.00} s{Environment.NewLine}{report}");
        Assert.True(elapsed < Limit, $"the 'no admin API' report took {elapsed.TotalSeconds:0.00} s");
        Assert.False(report.AdminApiAvailable);
        Assert.Contains(report.Notes, n => n.Contains("does not implement the admin API", StringComparison.Ordinal) && n.Contains("controller", StringComparison.Ordinal));
        Assert.Equal(["noadmin.events"], report.Existing);
        Assert.Contains("noadmin.requests", report.Missing);
        Assert.Empty(report.Errors);
    }

    [Fact]
    public async Task MockCluster_ToolApply_ExitsAtOnceWithTheReport()
    {
        await using var cluster = new MockKafkaCluster(1);
        (string, string)[] variables = [("KAFKA_BOOTSTRAP_SERVERS", cluster.BootstrapServers), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"), ("SERVICE_NAME", "noadmin-cli"),
            ("KAFKA_TOPIC_EVENTS", "noadmin-cli.events"), ("KAFKA_TOPIC_EVENTS_REPLICATION", "1"), ("KAFKA_TOPIC_EVENTS_MIN_INSYNC_REPLICAS", "1"), ("KAFKA_TOPIC_DLQ_REPLICATION", "1")];

        var run = await TopicsToolProcess.RunAsync(variables, "apply");

        output.WriteLine(run.ToString());
        Assert.Equal(TopicsCommand.Success, run.ExitCode);
        Assert.Contains("admin API not available", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("does not implement the admin API", run.StdOut, StringComparison.Ordinal);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(10), $"the tool took {run.Elapsed.TotalSeconds:0.0} s (the process start included)");
    }
}
