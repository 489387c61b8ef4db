using Confluent.Kafka;
using Confluent.Kafka.Admin;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Topics;

namespace EventBus.Kafka.IntegrationTests.Topics;

/// <summary>Needs the admin API: runs against Testcontainers Kafka or EVENTBUS_TEST_BOOTSTRAP_SERVERS, skips on the mock cluster.</summary>
public sealed class TopicProvisionerRealBrokerTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task ThreeTiers_CreatedWithConfigs_SecondRunCreatesNothing_DriftReconciled()
    {
        broker.RequireAdminApi("Creating the three tiers and reading their configs back");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var rf = Math.Min(3, broker.BrokerCount).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var options = broker.CreateOptions("svc-" + suffix,
            ("KAFKA_TOPIC_EVENTS", "events-" + suffix), ("KAFKA_TOPIC_ERRORS", "errors-" + suffix),
            ("KAFKA_TOPIC_EVENTS_REPLICATION", rf), ("KAFKA_TOPIC_ERRORS_REPLICATION", rf), ("KAFKA_TOPIC_DLQ_REPLICATION", rf),
            ("KAFKA_TOPIC_EVENTS_MIN_INSYNC_REPLICAS", "1"));
        var ct = TestContext.Current.CancellationToken;

        using (var provisioner = new TopicProvisioner(options))
        {
            var first = await provisioner.ProvisionAsync(ct);
            output.WriteLine(first.ToString());
            Assert.Equal(3, first.Created.Count);
            var second = await provisioner.ProvisionAsync(ct);
            Assert.Empty(second.Created);
            Assert.Equal(3, second.Existing.Count);
            Assert.Empty(second.Drift);
        }

        await broker.WaitUntilVisibleAsync(["events-" + suffix, "errors-" + suffix, $"svc-{suffix}-dlq"]);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var configs = (await admin.DescribeConfigsAsync(new[] { "events-" + suffix, "errors-" + suffix, $"svc-{suffix}-dlq" }
            .Select(t => new ConfigResource { Type = ResourceType.Topic, Name = t }))).ToDictionary(r => r.ConfigResource.Name, r => r.Entries);
        Assert.Equal("604800000", configs["events-" + suffix]["retention.ms"].Value);
        Assert.Equal("2592000000", configs["errors-" + suffix]["retention.ms"].Value);
        Assert.Equal("2592000000", configs[$"svc-{suffix}-dlq"]["retention.ms"].Value);
        Assert.Equal("snappy", configs["events-" + suffix]["compression.type"].Value);
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.ToDictionary(t => t.Topic, t => t.Partitions.Count);
        Assert.Equal((3, 1, 1), (metadata["events-" + suffix], metadata["errors-" + suffix], metadata[$"svc-{suffix}-dlq"]));

        // The spec now asks for 6 partitions: drift, then reconciled by increasing.
        var grown = broker.CreateOptions("svc-" + suffix,
            ("KAFKA_TOPIC_EVENTS", "events-" + suffix), ("KAFKA_TOPIC_ERRORS", "errors-" + suffix), ("KAFKA_TOPIC_EVENTS_PARTITIONS", "6"),
            ("KAFKA_TOPIC_EVENTS_REPLICATION", rf), ("KAFKA_TOPIC_ERRORS_REPLICATION", rf), ("KAFKA_TOPIC_DLQ_REPLICATION", rf),
            ("KAFKA_TOPIC_EVENTS_MIN_INSYNC_REPLICAS", "1"));
        using var reconciler = new TopicProvisioner(grown);
        var drift = await reconciler.VerifyAsync(ct);
        Assert.Contains(drift.Drift, d => d.Setting == "partitions" && d.Expected == "6" && d.Actual == "3");
        await reconciler.ApplyAsync(reconcile: true, ct);
        await Wait.UntilAsync(() => admin.GetMetadata("events-" + suffix, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count == 6, TimeSpan.FromSeconds(30), "6 partitions");
    }
}
