using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Testing;

[Collection(NativeThreadsCollection.Name)]
public sealed class MockKafkaClusterTests
{
    [Fact]
    public async Task TwoClusters_InOneProcess_IndependentAndDisposedCleanly()
    {
        var ct = TestContext.Current.CancellationToken;
        var threadsBefore = NativeThreads.Librdkafka().Count;
        var first = new MockKafkaCluster(3);
        var second = new MockKafkaCluster(1);
        var ports = first.Ports.Concat(second.Ports).ToList();
        Assert.Equal(4, ports.Distinct().Count());

        first.CreateTopic("shared-name", 6, 3);
        second.CreateTopic("shared-name", 2, 1);
        Assert.Equal(6, PartitionCount(first.BootstrapServers, "shared-name"));
        Assert.Equal(2, PartitionCount(second.BootstrapServers, "shared-name"));
        TestData.Produce(first.BootstrapServers, "shared-name", 0, 7);
        TestData.Produce(second.BootstrapServers, "shared-name", 0, 3);
        Assert.Equal(7, TopicReader.ReadAll(first.BootstrapServers, "shared-name", TimeSpan.FromSeconds(30)).Count);
        Assert.Equal(3, TopicReader.ReadAll(second.BootstrapServers, "shared-name", TimeSpan.FromSeconds(30)).Count);
        Assert.True(NativeThreads.Librdkafka().Count > threadsBefore, "the clusters run native threads");

        await first.DisposeAsync();
        await second.DisposeAsync();
        await first.DisposeAsync(); // idempotent

        foreach (var port in ports)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start(); // throws if a broker still holds the port
            listener.Stop();
        }

        if (NativeThreads.CanCount)
        {
            await Wait.UntilAsync(() => NativeThreads.Librdkafka().Count <= threadsBefore, TimeSpan.FromSeconds(20),
                $"librdkafka threads to return to {threadsBefore} (now: {string.Join(", ", NativeThreads.Librdkafka())})");
        }

        Assert.Throws<ObjectDisposedException>(() => first.CreateTopic("after-dispose"));
        ct.ThrowIfCancellationRequested();
    }

    [Fact]
    public void NativeLibrary_IsTheOneConfluentLoaded()
    {
        using var cluster = new MockKafkaCluster(1);

        var loaded = System.Diagnostics.Process.GetCurrentProcess().Modules.Cast<System.Diagnostics.ProcessModule>()
            .Where(m => Path.GetFileName(m.FileName).Contains("rdkafka", StringComparison.OrdinalIgnoreCase))
            .Select(m => m.FileName)
            .Distinct()
            .ToList();

        Assert.Equal([MockKafkaCluster.NativeLibraryPath], loaded);
        Assert.True(Library.Version > 0);
    }

    [Fact]
    public void CreateTopic_ReplicationAboveBrokerCount_Rejected()
    {
        using var cluster = new MockKafkaCluster(1);

        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.CreateTopic("t", 1, 2));
    }

    [Fact]
    public async Task PushRequestErrors_ProduceFailsThenSucceeds()
    {
        using var cluster = new MockKafkaCluster(1);
        cluster.CreateTopic("errors", 1, 1);
        cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.NotEnoughReplicas, ErrorCode.NotEnoughReplicas);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            EnableIdempotence = true,
            RetryBackoffMs = 10,
        }).Build();

        var result = await producer.ProduceAsync("errors", new Message<string, string> { Key = "k", Value = "v" }, TestContext.Current.CancellationToken);

        // The producer retried past both injected errors: exactly one copy was written.
        Assert.Equal(PersistenceStatus.Persisted, result.Status);
        Assert.Single(TopicReader.ReadAll(cluster.BootstrapServers, "errors", TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task SetPartitionLeader_ClientsFollowTheNewLeader()
    {
        using var cluster = new MockKafkaCluster(3);
        cluster.CreateTopic("moving", 1, 3);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var ct = TestContext.Current.CancellationToken;
        await producer.ProduceAsync("moving", new Message<string, string> { Key = "a", Value = "1" }, ct);

        foreach (var leader in new[] { 2, 3, 1 })
        {
            cluster.SetPartitionLeader("moving", 0, leader);
            await producer.ProduceAsync("moving", new Message<string, string> { Key = "a", Value = leader.ToString(System.Globalization.CultureInfo.InvariantCulture) }, ct);
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
            Assert.Equal(leader, admin.GetMetadata("moving", TimeSpan.FromSeconds(10)).Topics[0].Partitions[0].Leader);
        }

        Assert.Equal(["1", "2", "3", "1"], TopicReader.ReadAll(cluster.BootstrapServers, "moving", TimeSpan.FromSeconds(30)).Select(r => r.Message.Value));
    }

    [Fact]
    public async Task SetBrokerRoundTripTime_DelaysResponses()
    {
        using var cluster = new MockKafkaCluster(1);
        cluster.CreateTopic("slow", 1, 1);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 0 }).Build();
        var ct = TestContext.Current.CancellationToken;
        await producer.ProduceAsync("slow", new Message<string, string> { Value = "warm-up" }, ct);

        var fast = System.Diagnostics.Stopwatch.StartNew();
        await producer.ProduceAsync("slow", new Message<string, string> { Value = "fast" }, ct);
        fast.Stop();
        cluster.SetBrokerRoundTripTime(1, TimeSpan.FromMilliseconds(500));
        var slow = System.Diagnostics.Stopwatch.StartNew();
        await producer.ProduceAsync("slow", new Message<string, string> { Value = "slow" }, ct);
        slow.Stop();

        // A ratio in one run, not an absolute time: the injected RTT dominates the delayed call.
        Assert.True(slow.Elapsed >= TimeSpan.FromMilliseconds(450), $"delayed produce took {slow.ElapsedMilliseconds} ms");
        Assert.True(slow.Elapsed > fast.Elapsed * 2, $"delayed {slow.ElapsedMilliseconds} ms vs undelayed {fast.ElapsedMilliseconds} ms");
    }

    private static int PartitionCount(string bootstrapServers, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        return admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count;
    }
}
