using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

public sealed class BrokerSelectionTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Fact]
    public void SelectedBroker_AnswersMetadataWithItsBrokers()
    {
        output.WriteLine("broker of this run: " + broker.Description);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(30));

        Assert.Equal(broker.BrokerCount, metadata.Brokers.Count);
        var forcedMock = string.Equals(Environment.GetEnvironmentVariable(KafkaTestBroker.BrokerKindVariable), "mock", StringComparison.OrdinalIgnoreCase);
        if (!forcedMock && Environment.GetEnvironmentVariable(KafkaKit.DirectoryVariable) is { Length: > 0 })
        {
            Assert.Equal(TestBrokerKind.Kit, broker.Kind);
        }
        else if (!forcedMock && Environment.GetEnvironmentVariable(KafkaTestBroker.BootstrapVariable) is { Length: > 0 })
        {
            Assert.Equal(TestBrokerKind.External, broker.Kind);
        }
    }

    [Fact]
    public async Task AdminApi_CreateTopicsAndDescribeConfigs_RoundTrip()
    {
        broker.RequireAdminApi("Creating a topic and reading its configs back");
        var topic = KafkaTestBroker.UniqueTopic("admin");
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic,
            NumPartitions = 2,
            ReplicationFactor = 1,
            Configs = new Dictionary<string, string> { ["retention.ms"] = "3600000" },
        }]);
        await broker.WaitUntilVisibleAsync([topic]);
        var described = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }]);

        Assert.Equal("3600000", described.Single().Entries["retention.ms"].Value);
        Assert.Equal(2, admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count);
    }
}
