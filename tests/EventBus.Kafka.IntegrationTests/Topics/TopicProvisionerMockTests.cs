using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;
using EventBus.Kafka.Topics;

namespace EventBus.Kafka.IntegrationTests.Topics;

/// <summary>The provisioner against a cluster without the admin API: it says so and verifies through metadata.</summary>
public sealed class TopicProvisionerMockTests(ITestOutputHelper output)
{
    [Fact]
    public async Task MockCluster_NoAdminApi_ReportedClearly_PartitionsVerifiedThroughMetadata()
    {
        await using var cluster = new MockKafkaCluster(3);
        cluster.CreateTopic("orders.events", 3, 3);          // as specified
        cluster.CreateTopic("orders.requests", 2, 3);        // one partition short: drift
        var options = KafkaTestBroker.CreateOptions(cluster.BootstrapServers, "orders",
            ("KAFKA_TOPIC_EVENTS", "orders.events"), ("KAFKA_TOPIC_REQUESTS", "orders.requests"), ("KAFKA_TOPIC_RESPONSES", "orders.responses"),
            ("KAFKA_TOPIC_CREATION_RETRIES", "0"), ("KAFKA_TOPIC_CREATION_TIMEOUT", "5"));
        using var provisioner = new TopicProvisioner(options);

        var report = await provisioner.ApplyAsync(cancellationToken: TestContext.Current.CancellationToken);

        output.WriteLine(report.ToString());
        Assert.False(report.AdminApiAvailable);
        Assert.Contains(report.Notes, n => n.Contains("does not implement", StringComparison.Ordinal));
        Assert.Equal(3, report.BrokerCount);
        Assert.Equal(["orders.events", "orders.requests"], report.Existing.Order(StringComparer.Ordinal));
        var drift = Assert.Single(report.Drift);
        Assert.Equal(("orders.requests", "partitions", "3", "2"), (drift.Topic, drift.Setting, drift.Expected, drift.Actual));
        Assert.NotNull(report.LastVerification);
        Assert.Same(report, provisioner.LastReport);
    }
}
