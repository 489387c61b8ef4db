using Confluent.Kafka;
using Confluent.Kafka.Admin;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>Where a reliability scenario runs: a test's private mock cluster, or the run's real broker (the Kafka kit).</summary>
internal sealed class ScenarioBroker
{
    private readonly MockKafkaCluster? _mock;
    private readonly KafkaTestBroker? _broker;
    private readonly int _minInsyncReplicas;

    private ScenarioBroker(string kind, string bootstrapServers, int brokerCount, MockKafkaCluster? mock, KafkaTestBroker? broker, int minInsyncReplicas)
    {
        Kind = kind;
        BootstrapServers = bootstrapServers;
        BrokerCount = brokerCount;
        _mock = mock;
        _broker = broker;
        _minInsyncReplicas = minInsyncReplicas;
    }

    /// <summary>Gets the short name printed in the scenario line: <c>mock</c> or <c>kit</c> (or the suite's broker kind).</summary>
    public string Kind { get; }

    /// <summary>Gets the bootstrap servers (PLAINTEXT).</summary>
    public string BootstrapServers { get; }

    /// <summary>Gets the number of brokers.</summary>
    public int BrokerCount { get; }

    /// <summary>Gets a value indicating whether the broker is librdkafka's mock cluster (which keeps at most 5 MB per partition
    /// and does not de-duplicate an idempotent producer's retried batches; see <see cref="ScenarioResult.WrittenTwice"/>).</summary>
    public bool IsMock => _mock is not null || _broker?.Kind == TestBrokerKind.Mock;

    /// <summary>A test's private mock cluster: faults injected there disturb no other test.</summary>
    /// <param name="cluster">The cluster.</param>
    /// <returns>The scenario broker.</returns>
    public static ScenarioBroker Mock(MockKafkaCluster cluster) => new("mock", cluster.BootstrapServers, cluster.BrokerCount, cluster, null, 0);

    /// <summary>The run's broker (the kit's real cluster on the kit lane); topics get <c>min.insync.replicas</c> where it has an admin API.</summary>
    /// <param name="broker">The suite's broker.</param>
    /// <param name="minInsyncReplicas">min.insync.replicas of the scenario's topics (0: the broker's default).</param>
    /// <returns>The scenario broker.</returns>
    public static ScenarioBroker Shared(KafkaTestBroker broker, int minInsyncReplicas = 0) =>
        new(broker.Kind == TestBrokerKind.Kit ? "kit" : broker.Kind.ToString().ToLowerInvariant(), broker.BootstrapServers, broker.BrokerCount, null, broker, minInsyncReplicas);

    /// <summary>Creates a topic with RF min(3, brokers), and on a real broker the scenario's min.insync.replicas.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitions">The partitions.</param>
    /// <returns>A task.</returns>
    public async Task CreateTopicAsync(string topic, int partitions)
    {
        var rf = Math.Min(3, BrokerCount);
        if (_mock is not null)
        {
            _mock.CreateTopic(topic, partitions, rf);
            return;
        }

        if (_broker!.Mock is not null || _minInsyncReplicas == 0)
        {
            await _broker.CreateTopicAsync(topic, partitions, rf).ConfigureAwait(false);
            return;
        }

        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync(
            [
                new TopicSpecification
                {
                    Name = topic,
                    NumPartitions = partitions,
                    ReplicationFactor = (short)rf,
                    Configs = new Dictionary<string, string> { ["min.insync.replicas"] = _minInsyncReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                },
            ]).ConfigureAwait(false);
        }

        await _broker.WaitUntilVisibleAsync([topic]).ConfigureAwait(false);
    }

    /// <summary>The leader of every partition of a topic, from metadata.</summary>
    /// <param name="topic">The topic.</param>
    /// <returns>Partition → leader broker id.</returns>
    public IReadOnlyDictionary<int, int> Leaders(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        return admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.ToDictionary(p => p.PartitionId, p => p.Leader);
    }
}
