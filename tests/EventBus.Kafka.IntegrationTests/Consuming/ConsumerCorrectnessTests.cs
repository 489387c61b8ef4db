using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Consuming;

/// <summary>
/// Regression tests of the consumer's correctness review: no exception from user code, a serializer or a disposed
/// dependency may stop a lane, leak in-flight counts or go unobserved; stops stay within their bounds.
/// </summary>
public sealed class ConsumerCorrectnessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PayloadConstructorThrows_RecordDeadLetteredAtOnce_OthersHandled_CommittedToEnd()
    {
        await using var cluster = new MockKafkaCluster(1);
        var (topic, dlq) = CreateTopics(cluster, "ctor-throws");
        TestData.Produce(cluster.BootstrapServers, topic, 0, 10, value: i => $"{{\"id\":{(i == 3 ? -1 : i)}}}");
        var group = "g-" + topic;
        var handled = new ConcurrentQueue<int>();
        var consumer = new EventConsumerBuilder(Options(cluster, topic, group, dlq))
            .Configure(o => o.RetryBaseDelay = TimeSpan.FromMilliseconds(10))
            .AddHandler<Order>("IN", (ctx, _) =>
            {
                handled.Enqueue(ctx.Message.Id);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => handled.Count == 9 && consumer.GetStatistics().RecordsDeadLettered == 1, TimeSpan.FromSeconds(30), "9 handled and 1 dead-lettered");

        var stopwatch = Stopwatch.StartNew();
        await consumer.DisposeAsync();
        stopwatch.Stop();
        var statistics = consumer.GetStatistics();
        output.WriteLine($"disposed in {stopwatch.ElapsedMilliseconds} ms; {statistics}");
        Assert.Equal([0, 1, 2, 4, 5, 6, 7, 8, 9], handled);
        Assert.Equal(0, statistics.AttemptsRetried);
        Assert.Equal(0, statistics.InFlight);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"dispose took {stopwatch.Elapsed}");
        var dead = Assert.Single(TopicReader.ReadAll(cluster.BootstrapServers, dlq, TimeSpan.FromSeconds(30)));
        Assert.Equal("{\"id\":-1}", dead.Message.Value);
        Assert.Equal(typeof(InvalidOrderException).FullName, TestData.Header(dead.Message.Headers, DeadLetterHeaderNames.ExceptionFqcn));
        Assert.Equal(10, TestData.Offsets(cluster.BootstrapServers, group, topic).Committed[0]);
    }

    [Fact]
    public async Task BatchHandler_PayloadConstructorThrows_RecordDeadLettered_RestOfBatchHandled()
    {
        await using var cluster = new MockKafkaCluster(1);
        var (topic, dlq) = CreateTopics(cluster, "batch-ctor");
        TestData.Produce(cluster.BootstrapServers, topic, 0, 10, value: i => $"{{\"id\":{(i == 3 ? -1 : i)}}}");
        var group = "g-" + topic;
        var handled = new ConcurrentQueue<int>();
        var consumer = new EventConsumerBuilder(Options(cluster, topic, group, dlq))
            .AddBatchHandler<Order>("IN", (batch, _) =>
            {
                foreach (var ctx in batch)
                {
                    handled.Enqueue(ctx.Message.Id);
                }

                return Task.CompletedTask;
            }, batchSize: 5, batchTimeout: TimeSpan.FromMilliseconds(100))
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => handled.Count == 9 && consumer.GetStatistics().RecordsDeadLettered == 1, TimeSpan.FromSeconds(30), "9 handled and 1 dead-lettered");
        await consumer.DisposeAsync();

        Assert.Equal([0, 1, 2, 4, 5, 6, 7, 8, 9], handled.Order());
        Assert.Equal(0, consumer.GetStatistics().InFlight);
        Assert.Equal("{\"id\":-1}", Assert.Single(TopicReader.ReadAll(cluster.BootstrapServers, dlq, TimeSpan.FromSeconds(30))).Message.Value);
        Assert.Equal(10, TestData.Offsets(cluster.BootstrapServers, group, topic).Committed[0]);
    }

    [Fact]
    public async Task SerializerThrowsUnexpectedException_RecordDeadLettered_ConsumerKeepsGoing()
    {
        await using var cluster = new MockKafkaCluster(1);
        var (topic, dlq) = CreateTopics(cluster, "serializer-throws");
        TestData.Produce(cluster.BootstrapServers, topic, 0, 6);
        var group = "g-" + topic;
        var handled = new ConcurrentQueue<int>();
        var consumer = new EventConsumerBuilder(Options(cluster, topic, group, dlq))
            .WithSerializer(new PickySerializer(bad: "2"))
            .AddHandler<int>("IN", (ctx, _) =>
            {
                handled.Enqueue(ctx.Message);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => handled.Count == 5 && consumer.GetStatistics().RecordsDeadLettered == 1, TimeSpan.FromSeconds(30), "5 handled and 1 dead-lettered");
        await consumer.DisposeAsync();

        Assert.Equal([0, 1, 3, 4, 5], handled);
        var dead = Assert.Single(TopicReader.ReadAll(cluster.BootstrapServers, dlq, TimeSpan.FromSeconds(30)));
        Assert.Equal(typeof(TimeZoneNotFoundException).FullName, TestData.Header(dead.Message.Headers, DeadLetterHeaderNames.ExceptionFqcn));
        Assert.Equal(6, TestData.Offsets(cluster.BootstrapServers, group, topic).Committed[0]);
    }

    [Fact]
    public async Task DeadLetterProducerDisposedByItsOwner_ConsumerFaultsWithTheReason_InsteadOfStallingALane()
    {
        await using var cluster = new MockKafkaCluster(1);
        var (topic, dlq) = CreateTopics(cluster, "dlq-disposed");
        TestData.Produce(cluster.BootstrapServers, topic, 0, 5);
        var options = Options(cluster, topic, "g-" + topic, dlq);
        var producer = new EventProducer(options);
        await producer.DisposeAsync(); // the service disposed the producer it lent the consumer
        var consumer = new EventConsumerBuilder(options)
            .WithDeadLetterProducer(producer)
            .Configure(o => o.MaxRetries = 0)
            .AddHandler<int>("IN", (ctx, _) => ctx.Message == 1 ? throw new InvalidOperationException("poison") : Task.CompletedTask)
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => consumer.State == EventConsumerState.Faulted, TimeSpan.FromSeconds(30), "the consumer to fault");

        var error = await Assert.ThrowsAsync<EventConsumerException>(() => consumer.StopAsync(TestContext.Current.CancellationToken));
        output.WriteLine(error.Message);
        Assert.Contains("dead-letter", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.IsType<ObjectDisposedException>(error.InnerException);
        Assert.Equal(0, consumer.GetStatistics().InFlight);
        await consumer.DisposeAsync();
    }

    [Fact]
    public async Task StopAsyncFromHandler_ReturnsAtOnce_CompletedRecordsCommitted_GroupLeftCleanly()
    {
        await using var cluster = new MockKafkaCluster(1);
        var (topic, dlq) = CreateTopics(cluster, "stop-from-handler");
        TestData.Produce(cluster.BootstrapServers, topic, 0, 5);
        var group = "g-" + topic;
        var options = Options(cluster, topic, group, dlq, ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "500"));
        var handled = new ConcurrentQueue<int>();
        var stopwatch = new Stopwatch();
        var logs = new CapturingLoggerFactory();
        EventConsumer? consumer = null;
        consumer = new EventConsumerBuilder(options)
            .WithLoggerFactory(logs)
            .Configure(o =>
            {
                o.ShutdownTimeout = TimeSpan.FromSeconds(6);
                o.CloseTimeout = TimeSpan.FromSeconds(10);
            })
            .AddHandler<int>("IN", async (ctx, _) =>
            {
                if (ctx.Message == 2)
                {
                    stopwatch.Start();
                    await consumer!.StopAsync(); // a handler that decides the service must stop
                }

                handled.Enqueue(ctx.Message);
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => consumer.State == EventConsumerState.Stopped, TimeSpan.FromSeconds(30), "the consumer to stop");
        stopwatch.Stop();
        output.WriteLine($"stopped {stopwatch.ElapsedMilliseconds} ms after the handler asked; handled {string.Join(",", handled)}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"stop took {stopwatch.Elapsed}");
        Assert.Equal([0, 1, 2], handled);
        Assert.Equal(3, TestData.Offsets(cluster.BootstrapServers, group, topic).Committed[0]);

        // Left cleanly: the commit and the close finished within their bounds (the mock cluster makes a new member
        // wait for the old one's session either way, so the log is the evidence).
        Assert.Empty(logs.WithEvent("CloseTimedOut"));
        Assert.Empty(logs.WithEvent("ShutdownTimedOut"));
        Assert.Single(logs.WithEvent("ConsumerStopped"));

        // The records the stop left are redelivered to the next member.
        var next = new ConcurrentQueue<int>();
        var joined = Stopwatch.StartNew();
        await using var second = new EventConsumerBuilder(options)
            .AddHandler<int>("IN", (ctx, _) =>
            {
                next.Enqueue(ctx.Message);
                return Task.CompletedTask;
            })
            .Build();
        second.Start();
        await Wait.UntilAsync(() => next.Count == 2, TimeSpan.FromSeconds(30), "the next member to get the rest");

        output.WriteLine($"next member handled the rest after {joined.ElapsedMilliseconds} ms");
        Assert.Equal([3, 4], next);
        await consumer.DisposeAsync();
    }

    [Fact]
    public async Task StopAsyncWaitFromRebalanceCallback_DoesNotDeadlock()
    {
        await using var cluster = new MockKafkaCluster(1);
        var (topic, dlq) = CreateTopics(cluster, "stop-from-callback");
        EventConsumer? consumer = null;
        consumer = new EventConsumerBuilder(Options(cluster, topic, "g-" + topic, dlq))
            .Configure(o => o.PartitionsAssigned = _ => consumer!.StopAsync().Wait())
            .AddHandler<int>("IN", (_, _) => Task.CompletedTask)
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => consumer.State == EventConsumerState.Stopped, TimeSpan.FromSeconds(30), "the consumer to stop");
        await consumer.DisposeAsync();
    }

    [Fact]
    public async Task PartitionsAssignedCallbackThrows_ConsumerKeepsConsuming()
    {
        await using var cluster = new MockKafkaCluster(1);
        var (topic, dlq) = CreateTopics(cluster, "assigned-throws");
        TestData.Produce(cluster.BootstrapServers, topic, 0, 10);
        var group = "g-" + topic;
        var logs = new CapturingLoggerFactory();
        var handled = 0;
        await using var consumer = new EventConsumerBuilder(Options(cluster, topic, group, dlq))
            .Configure(o => o.PartitionsAssigned = _ => throw new InvalidOperationException("a bug in the service's callback"))
            .WithLoggerFactory(logs)
            .AddHandler<int>("IN", (_, _) =>
            {
                Interlocked.Increment(ref handled);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => Volatile.Read(ref handled) == 10, TimeSpan.FromSeconds(30), "all 10 handled");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(EventConsumerState.Stopped, consumer.State);
        Assert.Equal(10, TestData.Offsets(cluster.BootstrapServers, group, topic).Committed[0]);
        Assert.Contains(logs.Lines, l => l.Exception?.Message == "a bug in the service's callback");
    }

    [Fact]
    public async Task HandlerCancellationCallbackThrows_ShutdownStillStopsCleanly()
    {
        await using var cluster = new MockKafkaCluster(1);
        var (topic, dlq) = CreateTopics(cluster, "cancel-callback");
        TestData.Produce(cluster.BootstrapServers, topic, 0, 3);
        var started = 0;
        var consumer = new EventConsumerBuilder(Options(cluster, topic, "g-" + topic, dlq))
            .Configure(o =>
            {
                o.ShutdownTimeout = TimeSpan.FromSeconds(1);
                o.CloseTimeout = TimeSpan.FromSeconds(5);
            })
            .AddHandler<int>("IN", async (_, ct) =>
            {
                Interlocked.Increment(ref started);
                var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using var registration = ct.Register(() =>
                {
                    cancelled.TrySetResult();
                    throw new InvalidOperationException("a cancellation callback that throws");
                });
                await cancelled.Task;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => Volatile.Read(ref started) == 1, TimeSpan.FromSeconds(30), "the handler to start");

        var stopwatch = Stopwatch.StartNew();
        await consumer.StopAsync(TestContext.Current.CancellationToken); // throws EventConsumerException if the poll loop died
        stopwatch.Stop();
        Assert.Equal(EventConsumerState.Stopped, consumer.State);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(6), $"stop took {stopwatch.Elapsed}");
        await consumer.DisposeAsync();
    }

    [Fact]
    public async Task CommitRefusedOnce_RetriedWithoutNewRecords_CommittedReachesEnd()
    {
        await using var cluster = new MockKafkaCluster(1);
        var (topic, dlq) = CreateTopics(cluster, "commit-retry");
        TestData.Produce(cluster.BootstrapServers, topic, 0, 10);
        var group = "g-" + topic;
        var handled = 0;
        await using var consumer = new EventConsumerBuilder(Options(cluster, topic, group, dlq))
            .Configure(o => o.CommitInterval = TimeSpan.FromMilliseconds(300))
            .AddHandler<int>("IN", (_, _) =>
            {
                Interlocked.Increment(ref handled);
                return Task.CompletedTask;
            })
            .Build();
        cluster.PushRequestErrors(KafkaApiKey.OffsetCommit, ErrorCode.RebalanceInProgress);
        consumer.Start();
        await Wait.UntilAsync(() => Volatile.Read(ref handled) == 10, TimeSpan.FromSeconds(30), "all 10 handled");
        await Wait.UntilAsync(() => consumer.GetStatistics().CommitFailures >= 1, TimeSpan.FromSeconds(10), "the refused commit");

        // No new record arrives: the refused offsets must still be committed while the consumer runs.
        await Wait.UntilAsync(() => TestData.Offsets(cluster.BootstrapServers, group, topic).Committed[0] == 10, TimeSpan.FromSeconds(10), "the retried commit");
        output.WriteLine(consumer.GetStatistics().ToString());
    }

    [Fact]
    public async Task RevokeWhileRecordsStream_DoesNotWaitTheRevokeTimeout()
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("revoke-burst");
        var dlq = topic + "-dlq";
        cluster.CreateTopic(topic, 6, 1);
        cluster.CreateTopic(dlq, 1, 1);
        TestData.Produce(cluster.BootstrapServers, topic, 0, 100_000, keys: 1_000);
        var group = "g-" + topic;
        var options = Options(cluster, topic, group, dlq, ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "500"));
        var logs = new CapturingLoggerFactory();
        var handledByA = 0;
        var bAssigned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = new EventConsumerBuilder(options)
            .Configure(o =>
            {
                o.MaxConcurrency = 4;
                o.RevokeTimeout = TimeSpan.FromSeconds(120); // far above the mock's rounds, even on a loaded machine
            })
            .WithLoggerFactory(logs)
            .AddHandler<int>("IN", async (_, ct) =>
            {
                Interlocked.Increment(ref handledByA);
                await Task.Delay(1, ct); // real work: records keep streaming through the whole rebalance
            })
            .Build();
        await using var b = new EventConsumerBuilder(options)
            .Configure(o => o.PartitionsAssigned = p =>
            {
                if (p.Count > 0)
                {
                    bAssigned.TrySetResult();
                }
            })
            .AddHandler<int>("IN", (_, _) => Task.CompletedTask)
            .Build();
        a.Start();
        await Wait.UntilAsync(() => Volatile.Read(ref handledByA) > 2_000, TimeSpan.FromSeconds(60), "A streaming");

        var stopwatch = Stopwatch.StartNew();
        b.Start();
        await bAssigned.Task.WaitAsync(TimeSpan.FromSeconds(150), TestContext.Current.CancellationToken);
        stopwatch.Stop();
        output.WriteLine($"B got partitions {stopwatch.ElapsedMilliseconds} ms after joining; revoke timeouts logged by A: {logs.WithEvent("RevokeTimedOut").Count}");
        Assert.Empty(logs.WithEvent("RevokeTimedOut"));
        // The mock cluster's group coordinator takes 5-15 s for the two cooperative rounds (in 5 s steps, more under
        // load); a revoke that waited for records of unstarted lanes would take the whole RevokeTimeout.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(90), $"B waited {stopwatch.Elapsed} for its partitions");
    }

    private static (string Topic, string Dlq) CreateTopics(MockKafkaCluster cluster, string prefix)
    {
        var topic = KafkaTestBroker.UniqueTopic(prefix);
        cluster.CreateTopic(topic, 1, 1);
        cluster.CreateTopic(topic + "-dlq", 1, 1);
        return (topic, topic + "-dlq");
    }

    private static EventBusOptions Options(MockKafkaCluster cluster, string topic, string group, string dlq, params (string, string)[] extra) =>
        KafkaTestBroker.CreateOptions(cluster.BootstrapServers, "itest", [("KAFKA_TOPIC_IN", topic), ("KAFKA_CONSUMER_GROUP", group), ("KAFKA_TOPIC_DLQ", dlq), .. extra]);

    /// <summary>A payload whose constructor validates, as domain types do; its exception is not a JSON error.</summary>
    public sealed class Order
    {
        public Order(int id)
        {
            if (id < 0)
            {
                throw new InvalidOrderException(id);
            }

            Id = id;
        }

        public int Id { get; }
    }

    public sealed class InvalidOrderException(int id) : Exception($"order id {id} is negative");

    /// <summary>A custom serializer that throws an exception type nobody expects for one value.</summary>
    private sealed class PickySerializer(string bad) : Serialization.IEventSerializer
    {
        public string ContentType => "application/json";

        public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value);

        public T Deserialize<T>(ReadOnlySpan<byte> data) =>
            System.Text.Encoding.UTF8.GetString(data) == bad
                ? throw new TimeZoneNotFoundException("a serializer failing in its own way")
                : JsonSerializer.Deserialize<T>(data)!;
    }
}
