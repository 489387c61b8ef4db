using Confluent.Kafka;
using Confluent.Kafka.Admin;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Testing;
using Testcontainers.Kafka;

[assembly: AssemblyFixture(typeof(EventBus.Kafka.IntegrationTests.Infrastructure.KafkaTestBroker))]

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>
/// The broker of this test run, chosen once: the mock cluster when EVENTBUS_TEST_BROKER=mock; the Kafka kit of
/// <c>../shared/kafka</c> when EVENTBUS_TEST_KAFKA_DIR names its directory; EVENTBUS_TEST_BOOTSTRAP_SERVERS when set;
/// otherwise a real Kafka through Testcontainers when a Docker engine answers; otherwise <see cref="MockKafkaCluster"/>
/// with 3 brokers. A test states what it needs (<see cref="Require"/>) and skips, saying why, where the broker lacks it.
/// </summary>
public sealed partial class KafkaTestBroker : IAsyncLifetime
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

    /// <summary>Gets the Kafka kit, when that is the broker (<see cref="BootstrapServers"/> is its PLAINTEXT listener).</summary>
    public KafkaKit? Kit { get; private set; }

    /// <summary>Gets what the broker offers beyond PLAINTEXT produce and consume.</summary>
    public BrokerCapabilities Capabilities => Kind switch
    {
        TestBrokerKind.Kit => Kit!.Capabilities,
        TestBrokerKind.Testcontainers or TestBrokerKind.External => BrokerCapabilities.AdminApi,
        _ => BrokerCapabilities.None,
    };

    /// <summary>Gets why the preferred brokers were not used.</summary>
    public string SelectionNote { get; private set; } = string.Empty;

    /// <summary>Gets a one-line description for skip messages and logs.</summary>
    public string Description => $"{Kind} broker at {BootstrapServers} ({BrokerCount} brokers" +
        (Kit is null ? "" : ", Kafka " + Kit.KafkaVersion) + $"; offers {Capabilities}){(SelectionNote.Length > 0 ? "; " + SelectionNote : "")}";

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var forcedMock = string.Equals(Environment.GetEnvironmentVariable(BrokerKindVariable), "mock", StringComparison.OrdinalIgnoreCase);
        var kitDirectory = Environment.GetEnvironmentVariable(KafkaKit.DirectoryVariable);
        if (!forcedMock && !string.IsNullOrWhiteSpace(kitDirectory))
        {
            Kit = KafkaKit.Load(kitDirectory.Trim());
            Kind = TestBrokerKind.Kit;
            BootstrapServers = Kit.BootstrapPlaintext;
            BrokerCount = CountBrokers();
            return;
        }

        var external = Environment.GetEnvironmentVariable(BootstrapVariable);
        if (!forcedMock && !string.IsNullOrWhiteSpace(external))
        {
            Kind = TestBrokerKind.External;
            BootstrapServers = external.Trim();
            BrokerCount = CountBrokers();
            return;
        }

        var dockerProblem = forcedMock
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
    public void RequireAdminApi(string why) => Require(BrokerCapabilities.AdminApi, why);

    /// <summary>
    /// Skips the calling test, saying what is missing and how to get it, unless the broker offers every capability
    /// in <paramref name="needed"/>. The reason shows in the console output of <c>dotnet test</c>.
    /// </summary>
    /// <param name="needed">What the test needs.</param>
    /// <param name="why">What the test does with it (the start of the skip message).</param>
    public void Require(BrokerCapabilities needed, string why)
    {
        var missing = needed & ~Capabilities;
        if (missing == BrokerCapabilities.None)
        {
            return;
        }

        var what = string.Join("; ", Enum.GetValues<BrokerCapabilities>().Where(c => c != BrokerCapabilities.None && missing.HasFlag(c)).Select(Explain));
        Assert.Skip($"{why} needs {what}. {HowToGet(missing)} This run: {Description}.");
    }

    /// <summary>Makes a test need at least <paramref name="brokers"/> brokers, skipping otherwise.</summary>
    /// <param name="brokers">The broker count the test needs.</param>
    /// <param name="why">What the test does with them.</param>
    public void RequireBrokers(int brokers, string why)
    {
        if (BrokerCount < brokers)
        {
            Assert.Skip($"{why} needs {brokers} brokers; this run has {BrokerCount}. Run against the Kafka kit with --brokers 3 (see the README). This run: {Description}.");
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

        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = (short)rf }]).ConfigureAwait(false);
        }

        await WaitUntilVisibleAsync([name]).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until every broker named in <see cref="BootstrapServers"/> lists the topics with a leader for every
    /// partition. On a multi-broker cluster a broker learns of a new topic a moment after CreateTopics returns, and
    /// answers "unknown topic" until then.
    /// </summary>
    /// <param name="topics">The topics, e.g. just created by the provisioner or a tool.</param>
    /// <returns>A task.</returns>
    public async Task WaitUntilVisibleAsync(IReadOnlyCollection<string> topics)
    {
        if (Mock is not null)
        {
            return;
        }

        foreach (var address in BootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = address }).Build();
            await Wait.UntilAsync(() =>
            {
                var known = admin.GetMetadata(TimeSpan.FromSeconds(5)).Topics.ToDictionary(t => t.Topic, StringComparer.Ordinal);
                return topics.All(t => known.TryGetValue(t, out var topic) && topic.Error.Code == ErrorCode.NoError
                    && topic.Partitions.Count > 0 && topic.Partitions.All(p => p.Leader >= 0));
            }, TimeSpan.FromSeconds(30), $"{string.Join(", ", topics)} to be known to {address}").ConfigureAwait(false);
        }
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

    private static string Explain(BrokerCapabilities capability) => capability switch
    {
        BrokerCapabilities.AdminApi => "the Kafka admin API (CreateTopics, DescribeConfigs), which librdkafka's mock cluster does not implement",
        BrokerCapabilities.Ssl => "a TLS listener and its CA",
        BrokerCapabilities.Sasl => "SASL listeners (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN) with credentials",
        BrokerCapabilities.MutualTls => "a listener requiring a client certificate, and that certificate with its encrypted key",
        BrokerCapabilities.Acls => "ACL control (an authorizer and kafka-acls)",
        BrokerCapabilities.AdminTools => "Kafka's own admin tools (kafka-topics, kafka-configs)",
        BrokerCapabilities.BrokerRestart => "stopping and starting a single broker",
        _ => capability.ToString(),
    };

    private string HowToGet(BrokerCapabilities missing)
    {
        if (Kind == TestBrokerKind.Kit)
        {
            var tools = BrokerCapabilities.AdminTools | BrokerCapabilities.Acls | BrokerCapabilities.BrokerRestart;
            return (missing & tools) != BrokerCapabilities.None && Kit!.Script is null
                ? $"The kit's script was not found ({Kit.ScriptNote})."
                : $"The kit at {Kit!.Directory} was started without it: start it with --brokers 3 --ssl --sasl --mtls.";
        }

        return $"Run against the Kafka kit of ../shared/kafka: start it (kafka-broker start --dir DIR --brokers 3 --ssl --sasl --mtls) " +
            $"and set {KafkaKit.DirectoryVariable}=DIR (see the README, \"Which broker the integration tests use\")" +
            (missing == BrokerCapabilities.AdminApi ? $", or set {BootstrapVariable} to a real broker, or run where a Docker engine answers (Testcontainers)." : ".");
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
