using Confluent.Kafka;
using Confluent.Kafka.Admin;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Testing;
using Testcontainers.Kafka;

[assembly: AssemblyFixture(typeof(EventBus.Kafka.IntegrationTests.Infrastructure.KafkaTestBroker))]

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>
/// The broker of this test run, chosen once: EVENTBUS_TEST_BOOTSTRAP_SERVERS when set; otherwise a real Kafka
/// through Testcontainers when a Docker engine answers; otherwise <see cref="MockKafkaCluster"/> with 3 brokers.
/// Tests that need what the chosen broker lacks skip at run time and say why.
/// </summary>
public sealed class KafkaTestBroker : IAsyncLifetime
{
    /// <summary>The variable that points the suite at an existing broker.</summary>
    public const string BootstrapVariable = "EVENTBUS_TEST_BOOTSTRAP_SERVERS";

    /// <summary>Set to <c>mock</c> to use the mock cluster even where Docker answers (the fault-injection lane).</summary>
    public const string BrokerKindVariable = "EVENTBUS_TEST_BROKER";

    private const string KafkaImage = "confluentinc/cp-kafka:7.6.1";
    private KafkaContainer? _container;

    /// <summary>Gets the kind of broker in use.</summary>
    public TestBrokerKind Kind { get; private set; }

    /// <summary>Gets the bootstrap servers.</summary>
    public string BootstrapServers { get; private set; } = string.Empty;

    /// <summary>Gets the number of brokers (bounds the replication factor).</summary>
    public int BrokerCount { get; private set; }

    /// <summary>Gets the mock cluster, when that is the broker.</summary>
    public MockKafkaCluster? Mock { get; private set; }

    /// <summary>Gets why the preferred brokers were not used.</summary>
    public string SelectionNote { get; private set; } = string.Empty;

    /// <summary>Gets a one-line description for skip messages and logs.</summary>
    public string Description => $"{Kind} broker at {BootstrapServers} ({BrokerCount} brokers){(SelectionNote.Length > 0 ? "; " + SelectionNote : "")}";

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(BootstrapVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            Kind = TestBrokerKind.External;
            BootstrapServers = external.Trim();
            BrokerCount = CountBrokers();
            return;
        }

        var dockerProblem = string.Equals(Environment.GetEnvironmentVariable(BrokerKindVariable), "mock", StringComparison.OrdinalIgnoreCase)
            ? $"{BrokerKindVariable}=mock"
            : await TryStartContainerAsync().ConfigureAwait(false);
        if (dockerProblem is null)
        {
            return;
        }

        SelectionNote = $"not Testcontainers: {dockerProblem}";
        Kind = TestBrokerKind.Mock;
        Mock = new MockKafkaCluster(3);
        BootstrapServers = Mock.BootstrapServers;
        BrokerCount = Mock.BrokerCount;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Mock is not null)
        {
            await Mock.DisposeAsync().ConfigureAwait(false);
        }

        if (_container is not null)
        {
            await _container.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Skips the calling test when the broker has no admin API (the mock cluster).</summary>
    /// <param name="why">What the test needs the admin API for.</param>
    public void RequireAdminApi(string why)
    {
        if (Kind == TestBrokerKind.Mock)
        {
            Assert.Skip($"{why} needs the Kafka admin API (CreateTopics, DescribeConfigs), which librdkafka's mock cluster does not implement. " +
                $"Set {BootstrapVariable} to a real broker, or run where a Docker engine answers (Testcontainers). This run: {Description}.");
        }
    }

    /// <summary>Makes a topic name no other test uses.</summary>
    /// <param name="prefix">A readable prefix.</param>
    /// <returns>The name.</returns>
    public static string UniqueTopic(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    /// <summary>Creates a topic: through the mock API on the mock cluster, through the admin API elsewhere.</summary>
    /// <param name="name">The topic.</param>
    /// <param name="partitions">The partition count.</param>
    /// <param name="replicationFactor">The wanted replication factor; lowered to the broker count.</param>
    /// <returns>A task.</returns>
    public async Task CreateTopicAsync(string name, int partitions, int replicationFactor = 3)
    {
        var rf = Math.Min(replicationFactor, BrokerCount);
        if (Mock is not null)
        {
            Mock.CreateTopic(name, partitions, rf);
            return;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = (short)rf }]).ConfigureAwait(false);
    }

    /// <summary>Options for this broker as a service would get them from its environment (PLAINTEXT).</summary>
    /// <param name="serviceName">The service name.</param>
    /// <param name="extra">More variables.</param>
    /// <returns>Validated options.</returns>
    public EventBusOptions CreateOptions(string serviceName = "itest", params (string Name, string Value)[] extra) =>
        CreateOptions(BootstrapServers, serviceName, extra);

    /// <summary>Options for any bootstrap servers (e.g. a test's private mock cluster), PLAINTEXT.</summary>
    /// <param name="bootstrapServers">The bootstrap servers.</param>
    /// <param name="serviceName">The service name.</param>
    /// <param name="extra">More variables.</param>
    /// <returns>Validated options.</returns>
    public static EventBusOptions CreateOptions(string bootstrapServers, string serviceName, params (string Name, string Value)[] extra)
    {
        var variables = new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrapServers,
            ["SERVICE_NAME"] = serviceName,
            ["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT",
        };
        foreach (var (name, value) in extra)
        {
            variables[name] = value;
        }

        return EventBusOptions.FromVariables(variables);
    }

    private async Task<string?> TryStartContainerAsync()
    {
        try
        {
            _container = new KafkaBuilder(KafkaImage).Build();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await _container.StartAsync(timeout.Token).ConfigureAwait(false);
            Kind = TestBrokerKind.Testcontainers;
            BootstrapServers = _container.GetBootstrapAddress();
            BrokerCount = 1;
            return null;
        }
#pragma warning disable CA1031 // Any failure to start a container means: use the mock cluster, and say why.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (_container is not null)
            {
                await _container.DisposeAsync().ConfigureAwait(false);
                _container = null;
            }

            return ex.GetType().Name + ": " + ex.Message.Split('\n')[0].Trim();
        }
    }

    private int CountBrokers()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(30)).Brokers.Count;
    }
}
