using Confluent.Kafka;
using Confluent.Kafka.Admin;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Testing;

namespace EventBus.Benchmarks.Harness;

/// <summary>
/// The broker every variant uses: by default librdkafka's in-process mock cluster (3 brokers), or a real one
/// (<c>--broker</c> / <c>KAFKA_BOOTSTRAP_SERVERS</c>). Topics have 6 partitions and replication factor 3 (or the
/// broker count, if smaller).
/// </summary>
internal sealed class BenchmarkCluster : IAsyncDisposable
{
    public const int Partitions = 6;
    public const string ServiceName = "bench";
    private readonly MockKafkaCluster? _mock;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _topics = [];

    public BenchmarkCluster(string? externalBootstrap)
    {
        if (string.IsNullOrWhiteSpace(externalBootstrap))
        {
            _mock = new MockKafkaCluster(3);
            BootstrapServers = _mock.BootstrapServers;
            MockBrokerThreads.Discover();
        }
        else
        {
            BootstrapServers = externalBootstrap.Trim();
        }
    }

    public string BootstrapServers { get; }

    public bool IsMock => _mock is not null;

    public string Description => IsMock
        ? $"MockKafkaCluster, 3 brokers in this process (its thread: {MockBrokerThreads.Count} found)"
        : "broker " + BootstrapServers;

    /// <summary>Creates a topic for this run, named <c>bench-{name}-{run id}</c>.</summary>
    public async Task<string> CreateTopicAsync(string name)
    {
        var topic = $"bench-{name}-{_run}";
        if (_mock is not null)
        {
            _mock.CreateTopic(topic, Partitions, 3);
        }
        else
        {
            using var admin = new AdminClientBuilder(KafkaClientConfigFactory.CreateAdminClientConfig(Options(topic))).Build();
            var brokers = admin.GetMetadata(TimeSpan.FromSeconds(30)).Brokers.Count;
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = Partitions, ReplicationFactor = (short)Math.Min(3, brokers) }]);
            _topics.Add(topic);
        }

        return topic;
    }

    /// <summary>
    /// The options every wrapper client and every raw baseline's config come from: the topic under the key
    /// <see cref="Payload.TopicKey"/>; for a real broker, the process's other KAFKA_* variables (security) as well,
    /// PLAINTEXT unless KAFKA_SECURITY_PROTOCOL says otherwise.
    /// </summary>
    public EventBusOptions Options(string topic, string? group = null)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!IsMock)
        {
            foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                if (entry.Key is string key && key.StartsWith("KAFKA_", StringComparison.Ordinal))
                {
                    variables[key] = entry.Value as string;
                }
            }
        }

        variables["KAFKA_BOOTSTRAP_SERVERS"] = BootstrapServers;
        variables["SERVICE_NAME"] = ServiceName;
        variables["KAFKA_TOPIC_" + Payload.TopicKey] = topic;
        variables["KAFKA_CONSUMER_GROUP"] = group;
        if (IsMock || !variables.ContainsKey("KAFKA_SECURITY_PROTOCOL"))
        {
            variables["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT"; // the library's default is SSL (MSK); a benchmark broker is plain unless told
        }

        return EventBusOptions.FromVariables(variables);
    }

    /// <summary>A fresh consumer group name, so every consumer run reads the topic from the start.</summary>
    public static string NewGroup(string prefix) => $"bench-{prefix}-{Guid.NewGuid():N}";

    /// <summary>How many records the topic holds (the mock cluster keeps at most 5 MB per partition).</summary>
    public long CountRecords(string topic)
    {
        var config = KafkaClientConfigFactory.CreateConsumerConfig(Options(topic, NewGroup("count")));
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        long total = 0;
        for (var p = 0; p < Partitions; p++)
        {
            var offsets = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30));
            total += offsets.High.Value - offsets.Low.Value;
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        if (_topics.Count > 0)
        {
            try
            {
                using var admin = new AdminClientBuilder(KafkaClientConfigFactory.CreateAdminClientConfig(Options(_topics[0]))).Build();
                await admin.DeleteTopicsAsync(_topics);
            }
            catch (KafkaException ex)
            {
                Console.Error.WriteLine($"could not delete the benchmark topics: {ex.Message}");
            }
        }

        if (_mock is not null)
        {
            await _mock.DisposeAsync();
        }
    }
}
