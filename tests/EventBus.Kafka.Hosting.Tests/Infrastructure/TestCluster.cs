using Confluent.Kafka;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.Hosting.Tests.Infrastructure;

/// <summary>A private mock cluster per test, with the variables a service would get to reach it.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(MockKafkaCluster cluster, string suffix)
    {
        Cluster = cluster;
        Suffix = suffix;
    }

    public MockKafkaCluster Cluster { get; }

    /// <summary>Makes the names of this test unique.</summary>
    public string Suffix { get; }

    public string OrdersTopic => "orders-" + Suffix;

    public string Group => "group-" + Suffix;

    public string ServiceName => "svc-" + Suffix;

    /// <summary>Starts a 3-broker cluster with the orders topic and the service's dead-letter topic.</summary>
    public static TestCluster Start(int ordersPartitions = 3)
    {
        var cluster = new MockKafkaCluster(3);
        var test = new TestCluster(cluster, Guid.NewGuid().ToString("N")[..8]);
        cluster.CreateTopic(test.OrdersTopic, ordersPartitions, 3);
        cluster.CreateTopic(test.ServiceName + "-dlq", 1, 3);
        return test;
    }

    /// <summary>The variables of a service with one consumer of ORDERS, as a container would get them.</summary>
    public Dictionary<string, string?> Variables(params (string Name, string? Value)[] overrides)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = Cluster.BootstrapServers,
            ["SERVICE_NAME"] = ServiceName,
            ["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT",
            ["KAFKA_CONSUMER_GROUP"] = Group,
            ["KAFKA_TOPIC_ORDERS"] = OrdersTopic,

            // The mock cluster has no admin API: CreateTopics waits for a controller until this timeout (see the tests' notes).
            ["KAFKA_TOPIC_CREATION_TIMEOUT"] = "2",
            ["KAFKA_TOPIC_CREATION_RETRIES"] = "0",

            // As in the integration suite: with the 45 s default, the next member of a group waited ~41 s on the mock
            // cluster for the member that had left (its session to run out) before it got the partitions.
            ["KAFKA_CONSUMER_SESSION_TIMEOUT_MS"] = "6000",
            ["KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS"] = "500",
        };
        foreach (var (name, value) in overrides)
        {
            variables[name] = value;
        }

        return variables;
    }

    /// <summary>Reads the group's committed offsets of the orders topic, as the next member of the group would.</summary>
    public Dictionary<int, long> Committed(int partitions = 3)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = Cluster.BootstrapServers,
            GroupId = Group,
            SecurityProtocol = SecurityProtocol.Plaintext,
            EnableAutoCommit = false,
        }).Build();
        return consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(OrdersTopic, p)), TimeSpan.FromSeconds(10))
            .ToDictionary(o => o.Partition.Value, o => o.Offset.Value);
    }

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
