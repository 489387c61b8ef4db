using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace EventBus.Kafka.Testing;

/// <summary>
/// An in-process Kafka cluster for tests: librdkafka's mock cluster, speaking the real Kafka protocol on loopback
/// TCP, with consumer groups, the idempotent producer, committed offsets and fault injection. No Docker needed.
/// </summary>
/// <remarks>
/// <para>The cluster lives in the same native librdkafka instance that Confluent.Kafka loaded; clients connect to
/// <see cref="BootstrapServers"/> with <c>security.protocol=PLAINTEXT</c>.</para>
/// <para>It has no admin API (CreateTopics, DescribeConfigs): create topics with <see cref="CreateTopic"/>.
/// Topics a client asks for that do not exist are auto-created with 4 partitions.</para>
/// <para>A consumer group's first rebalance starts at once (the mock's own default waits 3 s, as Kafka's
/// <c>group.initial.rebalance.delay.ms</c> does; the test kit and most test brokers set 0):
/// <see cref="SetGroupInitialRebalanceDelay"/> restores a delay.</para>
/// <para>Several clusters can live in one process. Every member is thread-safe; disposing stops the brokers,
/// closes their ports and joins their threads.</para>
/// </remarks>
public sealed unsafe class MockKafkaCluster : IDisposable, IAsyncDisposable
{
    private readonly LibrdkafkaNative _native;
    private readonly object _gate = new();
    private IntPtr _client;
    private IntPtr _cluster;

    /// <summary>Initializes a new instance of the <see cref="MockKafkaCluster"/> class and starts its brokers.</summary>
    /// <param name="brokerCount">The number of brokers, with ids 1 to <paramref name="brokerCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerCount"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The native library or the cluster could not be started.</exception>
    public MockKafkaCluster(int brokerCount = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        _native = LibrdkafkaNative.Instance;
        BrokerCount = brokerCount;

        // The mock cluster hangs off a client handle that only hosts it; it never connects anywhere.
        var conf = _native.conf_new();
        SetConf(conf, "log_level", "3");
        SetConf(conf, "client.id", "eventbus-mock-cluster-host");
        var errstr = stackalloc byte[512];
        _client = _native.kafka_new(0, conf, errstr, 512);
        if (_client == IntPtr.Zero)
        {
            _native.conf_destroy(conf);
            throw new InvalidOperationException("Could not create the client that hosts the mock cluster: " + Marshal.PtrToStringUTF8((IntPtr)errstr));
        }

        _cluster = _native.cluster_new(_client, brokerCount);
        if (_cluster == IntPtr.Zero)
        {
            _native.kafka_destroy(_client);
            _client = IntPtr.Zero;
            throw new InvalidOperationException("librdkafka could not start the mock cluster.");
        }

        _native.group_initial_rebalance_delay_ms(_cluster, 0);
        BootstrapServers = Marshal.PtrToStringUTF8(_native.cluster_bootstraps(_cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
        BrokerEndpoints = BootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Gets the <c>host:port</c> list to give clients as <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>Gets the number of brokers; their ids are 1 to <see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>Gets each broker's <c>host:port</c> listener, in broker-id order.</summary>
    public IReadOnlyList<string> BrokerEndpoints { get; }

    /// <summary>Gets the file of the native library the cluster runs in (the one Confluent.Kafka loaded).</summary>
    public static string NativeLibraryPath => LibrdkafkaNative.Instance.LibraryPath;

    /// <summary>Gets the TCP ports the brokers listen on.</summary>
    public IReadOnlyList<int> Ports => BrokerEndpoints
        .Select(e => int.Parse(e.AsSpan(e.LastIndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture))
        .ToList();

    /// <summary>Creates a topic.</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="partitions">The partition count.</param>
    /// <param name="replicationFactor">The replication factor, at most <see cref="BrokerCount"/>.</param>
    /// <exception cref="KafkaException">The cluster refused.</exception>
    public void CreateTopic(string name, int partitions = 1, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, BrokerCount);
        Invoke(cluster => WithUtf8(name, n => _native.topic_create(cluster, n, partitions, replicationFactor)), $"create topic '{name}'");
    }

    /// <summary>
    /// Sets how long a consumer group's first rebalance waits for more members to join (Kafka's
    /// <c>group.initial.rebalance.delay.ms</c>). Zero from the start; librdkafka's mock default is 3 s.
    /// </summary>
    /// <param name="delay">The delay.</param>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Invoke(cluster =>
        {
            _native.group_initial_rebalance_delay_ms(cluster, (int)delay.TotalMilliseconds);
            return 0;
        }, "set the group initial rebalance delay");
    }

    /// <summary>Takes a broker down: its connections are closed and new ones refused until <see cref="SetBrokerUp"/>.</summary>
    /// <param name="brokerId">The broker id, 1 to <see cref="BrokerCount"/>.</param>
    public void SetBrokerDown(int brokerId)
    {
        CheckBroker(brokerId);
        Invoke(cluster => _native.broker_set_down(cluster, brokerId), $"set broker {brokerId} down");
    }

    /// <summary>Brings a broker that was set down back up.</summary>
    /// <param name="brokerId">The broker id, 1 to <see cref="BrokerCount"/>.</param>
    public void SetBrokerUp(int brokerId)
    {
        CheckBroker(brokerId);
        Invoke(cluster => _native.broker_set_up(cluster, brokerId), $"set broker {brokerId} up");
    }

    /// <summary>Delays every response of a broker by <paramref name="roundTripTime"/>.</summary>
    /// <param name="brokerId">The broker id.</param>
    /// <param name="roundTripTime">The added round-trip time; <see cref="TimeSpan.Zero"/> removes it.</param>
    public void SetBrokerRoundTripTime(int brokerId, TimeSpan roundTripTime)
    {
        CheckBroker(brokerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(roundTripTime, TimeSpan.Zero);
        Invoke(cluster => _native.broker_set_rtt(cluster, brokerId, (int)roundTripTime.TotalMilliseconds), $"set broker {brokerId} RTT");
    }

    /// <summary>
    /// Makes the next requests of one type fail: each error is returned once, in order, by whichever broker
    /// receives the request.
    /// </summary>
    /// <param name="apiKey">The request type.</param>
    /// <param name="errors">The errors to return, one per request.</param>
    public void PushRequestErrors(KafkaApiKey apiKey, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Length == 0)
        {
            return;
        }

        var codes = errors.Select(e => (int)e).ToArray();
        lock (_gate)
        {
            var cluster = Live();
            fixed (int* p = codes)
            {
                _native.push_request_errors_array(cluster, (short)apiKey, (nuint)codes.Length, p);
            }
        }
    }

    /// <summary>Removes the errors pushed for a request type that have not been returned yet.</summary>
    /// <param name="apiKey">The request type.</param>
    public void ClearRequestErrors(KafkaApiKey apiKey)
    {
        lock (_gate)
        {
            _native.clear_request_errors(Live(), (short)apiKey);
        }
    }

    /// <summary>Moves the leadership of a partition to another broker (clients see NOT_LEADER and follow).</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="brokerId">The new leader; -1 leaves the partition without a leader.</param>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        if (brokerId != -1)
        {
            CheckBroker(brokerId);
        }

        Invoke(cluster => WithUtf8(topic, t => _native.partition_set_leader(cluster, t, partition, brokerId)), $"set leader of {topic}[{partition}]");
    }

    /// <summary>Makes a broker the coordinator of a consumer group.</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="brokerId">The broker id.</param>
    public void SetGroupCoordinator(string groupId, int brokerId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        CheckBroker(brokerId);
        Invoke(
            cluster => WithUtf8("group", type => WithUtf8(groupId, key => _native.coordinator_set(cluster, type, key, brokerId))),
            $"set coordinator of group '{groupId}'");
    }

    /// <summary>Makes every request for a topic fail with <paramref name="error"/>; <see cref="ErrorCode.NoError"/> clears it.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="error">The error.</param>
    public void SetTopicError(string topic, ErrorCode error)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        lock (_gate)
        {
            var cluster = Live();
            WithUtf8(topic, t =>
            {
                _native.topic_set_error(cluster, t, (int)error);
                return 0;
            });
        }
    }

    /// <summary>
    /// Changes the address a broker advertises in metadata, e.g. to put a TLS-terminating proxy in front of it.
    /// The broker keeps listening where it was.
    /// </summary>
    /// <param name="brokerId">The broker id.</param>
    /// <param name="host">The advertised host.</param>
    /// <param name="port">The advertised port.</param>
    public void SetBrokerAdvertisedListener(int brokerId, string host, int port)
    {
        CheckBroker(brokerId);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        Invoke(cluster => WithUtf8(host, h => _native.broker_set_host_port(cluster, brokerId, h, port)), $"set advertised listener of broker {brokerId}");
    }

    /// <summary>Stops the brokers, closes their ports and joins their threads. Idempotent.</summary>
    public void Dispose()
    {
        IntPtr cluster, client;
        lock (_gate)
        {
            cluster = _cluster;
            client = _client;
            _cluster = IntPtr.Zero;
            _client = IntPtr.Zero;
        }

        if (cluster != IntPtr.Zero)
        {
            _native.cluster_destroy(cluster);
        }

        if (client != IntPtr.Zero)
        {
            _native.kafka_destroy(client);
        }
    }

    /// <summary>Stops the brokers off the calling thread (joining native threads blocks). Idempotent.</summary>
    /// <returns>A task that completes when the cluster is gone.</returns>
    public ValueTask DisposeAsync() => new(Task.Run(Dispose));

    /// <inheritdoc />
    public override string ToString() => $"MockKafkaCluster({BrokerCount} brokers, {BootstrapServers})";

    private void CheckBroker(int brokerId) => ArgumentOutOfRangeException.ThrowIfNotEqual(brokerId is >= 1 && brokerId <= BrokerCount, true, nameof(brokerId));

    private IntPtr Live() => _cluster != IntPtr.Zero ? _cluster : throw new ObjectDisposedException(nameof(MockKafkaCluster));

    private void Invoke(Func<IntPtr, int> call, string what)
    {
        int error;
        lock (_gate)
        {
            error = call(Live());
        }

        if (error != 0)
        {
            throw new KafkaException(new Error((ErrorCode)error, $"Mock cluster could not {what}: {_native.ErrorToString(error)}"));
        }
    }

    private void SetConf(IntPtr conf, string name, string value)
    {
        var errstr = stackalloc byte[512];
        var result = WithUtf8(name, n => WithUtf8(value, v => _native.conf_set(conf, n, v, errstr, 512)));
        if (result != 0)
        {
            throw new InvalidOperationException($"librdkafka rejected {name}={value}: {Marshal.PtrToStringUTF8((IntPtr)errstr)}");
        }
    }

    private static int WithUtf8(string value, Func<IntPtr, int> call)
    {
        var bytes = Encoding.UTF8.GetBytes(value + "\0");
        fixed (byte* p = bytes)
        {
            return call((IntPtr)p);
        }
    }
}
