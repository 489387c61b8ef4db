using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Producing;

public sealed class EventProducerTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    private const string Service = "orders-service";

    [Fact]
    public async Task PublishAsync_100000Over1000Keys_AllOnceInKeyOrderWithHeaders()
    {
        const int count = 100_000;
        const int keys = 1_000;
        var topic = KafkaTestBroker.UniqueTopic("publish-many");
        await broker.CreateTopicAsync(topic, 6, 3);
        await using var producer = new EventProducer(broker.CreateOptions(Service, ("KAFKA_TOPIC_EVENTS", topic)));
        var started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var traced = new Dictionary<int, string>();

        var tasks = new Task<PublishResult>[count];
        for (var i = 0; i < count; i++)
        {
            var key = "key-" + (i % keys);
            var sequence = i / keys;
            if (i % 10 == 0)
            {
                // Every tenth message is published inside an activity: its traceparent must travel.
                using var activity = new Activity("publish-test").SetIdFormat(ActivityIdFormat.W3C).Start();
                activity.TraceStateString = "eventbus=test";
                traced[i] = activity.Id!;
                tasks[i] = producer.PublishAsync("EVENTS", new OrderEvent(key, sequence, i), key);
            }
            else
            {
                tasks[i] = producer.PublishAsync("EVENTS", new OrderEvent(key, sequence, i), key);
            }
        }

        var results = await Task.WhenAll(tasks);
        var finished = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(results, r => Assert.Equal(topic, r.Topic));
        Assert.Equal(count, results.Select(r => (r.Partition, r.Offset)).Distinct().Count());

        var records = TopicReader.ReadAll(broker.BootstrapServers, topic, TimeSpan.FromSeconds(120));
        var events = records.Select(r => (Record: r, Event: JsonSerializer.Deserialize<OrderEvent>(r.Message.Value, JsonSerializerOptions.Web)!)).ToList();
        output.WriteLine($"published {count} over {keys} keys; read back {records.Count}; statistics {producer.GetStatistics()}");

        Assert.Equal(count, records.Count);
        Assert.Equal(Enumerable.Range(0, count), events.Select(e => e.Event.Index).Order());
        foreach (var group in events.GroupBy(e => e.Event.Key))
        {
            // Read back in offset order within the key's partition: the sequence must be 0, 1, 2, ...
            Assert.Equal(Enumerable.Range(0, count / keys), group.Select(e => e.Event.Sequence));
            Assert.Single(group.Select(e => e.Record.Partition.Value).Distinct());
            Assert.All(group, e => Assert.Equal(group.Key, e.Record.Message.Key));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (record, evt) in events)
        {
            var headers = record.Message.Headers;
            var timestamp = long.Parse(TestData.Header(headers, "timestamp")!, CultureInfo.InvariantCulture);
            Assert.InRange(timestamp, started, finished);
            Assert.Equal(Service, TestData.Header(headers, "source"));
            Assert.Equal("application/json", TestData.Header(headers, "content-type"));
            Assert.Matches("^[0-9a-f]{32}$", TestData.Header(headers, "message-id")!);
            Assert.True(ids.Add(TestData.Header(headers, "message-id")!), "message-id is unique");
            if (traced.TryGetValue(evt.Index, out var traceParent))
            {
                Assert.Equal(traceParent, TestData.Header(headers, "traceparent"));
                Assert.Equal("eventbus=test", TestData.Header(headers, "tracestate"));
            }
            else
            {
                Assert.Null(TestData.Header(headers, "traceparent"));
            }
        }

        Assert.Equal(results.Select(r => r.MessageId).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        var statistics = producer.GetStatistics();
        Assert.Equal((count, 0L, 0L), (statistics.MessagesSent, statistics.MessagesFailed, statistics.InFlight));
    }

    [Fact]
    public async Task Publish_Synchronous_ReturnsOffset_AndWithEveryBrokerDown_ThrowsWithinFlushTimeout()
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("sync");
        cluster.CreateTopic(topic, 1, 1);
        var options = KafkaTestBroker.CreateOptions(cluster.BootstrapServers, Service,
            ("KAFKA_TOPIC_SYNC", topic), ("KAFKA_PRODUCER_FLUSH_TIMEOUT", "2"), ("KAFKA_PRODUCER_CLOSE_TIMEOUT", "1"));
        using var producer = new EventProducer(options);

        var first = producer.Publish("SYNC", "first", "k");
        var second = producer.Publish("SYNC", "second", "k");
        Assert.Equal((topic, 0, 0L), (first.Topic, first.Partition, first.Offset));
        Assert.Equal(1L, second.Offset);

        cluster.SetBrokerDown(1);
        var stopwatch = Stopwatch.StartNew();
        var ex = Assert.Throws<EventPublishException>(() => producer.Publish("SYNC", "third", "k"));
        stopwatch.Stop();

        output.WriteLine($"threw after {stopwatch.ElapsedMilliseconds} ms: {ex.Message}");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(3));
        Assert.Equal(topic, ex.Topic);
        Assert.Equal(ErrorCode.Local_TimedOut, ex.ErrorCode);
        Assert.True(ex.IsRetriable);
        Assert.Contains(topic, ex.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_PRODUCER_FLUSH_TIMEOUT", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_Synchronous_SendsWithoutLinger_ThenAsyncPublishesBatchAgain()
    {
        var topic = KafkaTestBroker.UniqueTopic("sync-linger");
        await broker.CreateTopicAsync(topic, 3, 3);
        var linger = TimeSpan.FromSeconds(3);
        using var producer = new EventProducer(broker.CreateOptions(Service,
            ("KAFKA_TOPIC_SYNC", topic), ("KAFKA_PRODUCER_LINGER_MS", linger.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)), ("KAFKA_PRODUCER_FLUSH_TIMEOUT", "30")));

        // Ten sequential synchronous publishes: lingering would take 10 × 3 s.
        var stopwatch = Stopwatch.StartNew();
        var offsets = new List<(int, long)>();
        for (var i = 0; i < 10; i++)
        {
            var result = producer.Publish("SYNC", new OrderEvent("k" + i, 0, i), "k" + i);
            offsets.Add((result.Partition, result.Offset));
        }

        stopwatch.Stop();
        output.WriteLine($"10 synchronous publishes with linger.ms {linger.TotalMilliseconds}: {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(stopwatch.Elapsed < linger, $"10 synchronous publishes took {stopwatch.ElapsedMilliseconds} ms: they waited for linger.ms");
        Assert.Equal(10, offsets.Distinct().Count());

        // With no synchronous caller waiting, batching is back: an async publish lingers.
        await Wait.UntilAsync(() => !producer.IsSendingImmediately, TimeSpan.FromSeconds(5), "the immediate sender parks");
        var pending = producer.PublishAsync("SYNC", new OrderEvent("async", 0, 10), "async");
        var finishedEarly = await Task.WhenAny(pending, Task.Delay(linger / 3, TestContext.Current.CancellationToken)) == pending;
        Assert.False(finishedEarly, "an async publish was sent before linger.ms: synchronous sending did not stop");
        await pending.WaitAsync(linger * 3, TestContext.Current.CancellationToken);

        var records = TopicReader.ReadAll(broker.BootstrapServers, topic, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 11), records.Select(r => JsonSerializer.Deserialize<OrderEvent>(r.Message.Value, JsonSerializerOptions.Web)!.Index).Order());
    }

    [Fact]
    public async Task PublishBatchAsync_OneMessageTooLarge_OthersSucceed_OutcomeNamesIt()
    {
        var topic = KafkaTestBroker.UniqueTopic("batch");
        await broker.CreateTopicAsync(topic, 3, 3);
        await using var producer = new EventProducer(broker.CreateOptions(Service, ("KAFKA_TOPIC_BATCH", topic)));
        var messages = Enumerable.Range(0, 11)
            .Select(i => new EventMessage<byte[]>(i == 5 ? new byte[2_000_000] : Encoding.UTF8.GetBytes("message-" + i), "key-" + i))
            .ToList();

        var result = await producer.PublishBatchAsync("BATCH", messages, TestContext.Current.CancellationToken);

        output.WriteLine($"{result}; failure: {result.Failures.Single().Error!.Message}");
        Assert.Equal(10, result.SucceededCount);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(5, failure.Index);
        Assert.Equal(ErrorCode.MsgSizeTooLarge, failure.Error!.ErrorCode);
        Assert.False(failure.Error.IsRetriable);
        Assert.Equal("key-5", failure.Error.PartitionKey);
        Assert.All(result.Outcomes.Where(o => o.Index != 5), o => Assert.Equal(topic, o.Result!.Topic));
        var values = TopicReader.ReadAll(broker.BootstrapServers, topic, TimeSpan.FromSeconds(30)).Select(r => r.Message.Value).Order(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(0, 11).Where(i => i != 5).Select(i => "message-" + i).Order(StringComparer.Ordinal), values);
    }

    [Fact]
    public async Task BrokerDownFor3Seconds_20000InFlight_AllDeliveredNoneDuplicated()
    {
        const int count = 20_000;
        await using var cluster = new MockKafkaCluster(3);
        var topic = KafkaTestBroker.UniqueTopic("inflight-outage");
        cluster.CreateTopic(topic, 6, 3);
        for (var partition = 0; partition < 6; partition++)
        {
            cluster.SetPartitionLeader(topic, partition, (partition % 3) + 1);
        }

        await using var producer = new EventProducer(KafkaTestBroker.CreateOptions(cluster.BootstrapServers, Service, ("KAFKA_TOPIC_OUT", topic)));
        var tasks = new List<Task<PublishResult>>(count);
        var outage = new Stopwatch();
        for (var i = 0; i < count; i++)
        {
            tasks.Add(producer.PublishAsync("OUT", "payload-" + i, "key-" + (i % 500)));
            if (i == count / 4)
            {
                cluster.SetBrokerDown(1);
                outage.Start();
            }
        }

        // The outage's length is the scenario, not a synchronisation.
        var remaining = TimeSpan.FromSeconds(3) - outage.Elapsed;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, TestContext.Current.CancellationToken);
        }

        var pendingWhileDown = tasks.Count(t => !t.IsCompleted);
        cluster.SetBrokerUp(1);
        var results = await Task.WhenAll(tasks);

        var records = TopicReader.ReadAll(cluster.BootstrapServers, topic, TimeSpan.FromSeconds(60));
        var byId = records.GroupBy(r => TestData.Header(r.Message.Headers, "message-id")!).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"pending after 3 s with broker 1 down: {pendingWhileDown}; acknowledged {results.Length}; on topic {records.Count}; distinct ids {byId.Count}");
        Assert.True(pendingWhileDown > 0, "the outage held messages back");
        Assert.Equal(count, records.Count);
        Assert.Equal(count, byId.Count);
        Assert.Equal(results.Select(r => r.MessageId).Order(StringComparer.Ordinal), byId.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Shared_16ThreadsAtOnce_OneProducer_EveryMessageDelivered()
    {
        const int threads = 16;
        const int perThread = 2_000;
        var topic = KafkaTestBroker.UniqueTopic("shared");
        await broker.CreateTopicAsync(topic, 6, 3);
        var options = broker.CreateOptions(Service, ("KAFKA_TOPIC_SHARED", topic));
        await EventProducer.CloseSharedAsync();
        var instances = new ConcurrentBag<EventProducer>();
        using var start = new Barrier(threads);
        var published = new ConcurrentBag<Task<PublishResult>>();

        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            var producer = EventProducer.GetOrCreateShared(options);
            instances.Add(producer);
            for (var i = 0; i < perThread; i++)
            {
                published.Add(producer.PublishAsync("SHARED", $"{t}-{i}", $"thread-{t}"));
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        await Task.WhenAll(published);

        var shared = Assert.Single(instances.Distinct());
        Assert.Equal(threads * perThread, shared.GetStatistics().MessagesSent);
        await EventProducer.CloseSharedAsync();
        Assert.Equal(EventProducerState.Closed, shared.State);
        Assert.NotSame(shared, EventProducer.GetOrCreateShared(options));
        await EventProducer.CloseSharedAsync();

        var records = TopicReader.ReadAll(broker.BootstrapServers, topic, TimeSpan.FromSeconds(60));
        var values = records.Select(r => r.Message.Value).ToList();
        Assert.Equal(threads * perThread, values.Count);
        Assert.Equal(threads * perThread, values.Distinct().Count());

        // Each caller's result names the record it published: the message id at its partition and offset is its own
        // (sixteen threads handing records over at once must not mix up whose delivery report is whose).
        var idAt = records.ToDictionary(r => (r.Partition.Value, r.Offset.Value), r => TestData.Header(r.Message.Headers, "message-id"));
        Assert.All(published, t => Assert.Equal(t.Result.MessageId, idAt[(t.Result.Partition, t.Result.Offset)]));
    }

    [Fact]
    public async Task Dispose_RightAfter10000FireAndForget_AllOnTheTopic()
    {
        const int count = 10_000;
        var topic = KafkaTestBroker.UniqueTopic("dispose");
        await broker.CreateTopicAsync(topic, 6, 3);
        var producer = new EventProducer(broker.CreateOptions(Service, ("KAFKA_TOPIC_FAF", topic)));
        for (var i = 0; i < count; i++)
        {
            _ = producer.PublishAsync("FAF", "fire-" + i);
        }

        producer.Dispose();
        producer.Dispose(); // idempotent

        Assert.Equal(EventProducerState.Closed, producer.State);
        Assert.Throws<ObjectDisposedException>(() => producer.Publish("FAF", "late"));
        var values = TopicReader.ReadAll(broker.BootstrapServers, topic, TimeSpan.FromSeconds(60)).Select(r => r.Message.Value).ToHashSet();
        Assert.Equal(count, values.Count);
        Assert.Equal(0, producer.GetStatistics().InFlight);
    }

    [Fact]
    public async Task Dispose_BrokerGone_BoundedByCloseTimeout_AndPendingPublishesFail()
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("close-bounded");
        cluster.CreateTopic(topic, 1, 1);
        var producer = new EventProducer(KafkaTestBroker.CreateOptions(cluster.BootstrapServers, Service, ("KAFKA_TOPIC_T", topic), ("KAFKA_PRODUCER_CLOSE_TIMEOUT", "1")));
        await producer.PublishAsync("T", "warm-up", cancellationToken: TestContext.Current.CancellationToken);
        cluster.SetBrokerDown(1);
        var pending = Enumerable.Range(0, 100).Select(i => producer.PublishAsync("T", "stuck-" + i)).ToList();

        var stopwatch = Stopwatch.StartNew();
        await producer.DisposeAsync();
        stopwatch.Stop();

        output.WriteLine($"DisposeAsync took {stopwatch.ElapsedMilliseconds} ms with the broker down");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(3));
        var failures = await Task.WhenAll(pending.Select(async t => await Assert.ThrowsAsync<EventPublishException>(() => t)));
        Assert.All(failures, f => Assert.Contains("KAFKA_PRODUCER_CLOSE_TIMEOUT", f.Message, StringComparison.Ordinal));
        Assert.Equal((0L, 100L), (producer.GetStatistics().InFlight, producer.GetStatistics().MessagesFailed));
    }

    [Fact]
    public async Task QueueFull_PublishWaitsForRoomInsteadOfFailing()
    {
        const int count = 2_000;
        await using var queue = SmallQueue.Create("queue-full", 50, TimeSpan.FromMilliseconds(20));
        var (cluster, producer, topic) = (queue.Cluster, queue.Producer, queue.Topic);

        var asyncTasks = Enumerable.Range(0, count).Select(i => producer.PublishAsync("Q", "async-" + i)).ToList();
        var syncOffsets = Enumerable.Range(0, 20).Select(i => producer.Publish("Q", "sync-" + i).Offset).ToList();
        await Task.WhenAll(asyncTasks);

        Assert.Equal(count + 20, producer.GetStatistics().MessagesSent);
        Assert.Equal(0, producer.GetStatistics().MessagesFailed);
        Assert.Equal(syncOffsets.Order(), syncOffsets);

        // Waiting for room never reorders: one partition, so offsets follow the order of the calls.
        var asyncOffsets = asyncTasks.Select(t => t.Result.Offset).ToList();
        Assert.Equal(asyncOffsets.Order(), asyncOffsets);
        var values = TopicReader.ReadAll(cluster.BootstrapServers, topic, TimeSpan.FromSeconds(60)).Select(r => r.Message.Value).ToList();
        Assert.Equal(count + 20, values.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => "async-" + i), values.Where(v => v.StartsWith("async-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task QueueFull_CancelledWhileWaitingForRoom_FailsAtOnce_OthersStillDelivered()
    {
        await using var queue = SmallQueue.Create("queue-full-cancel", 10);
        var (cluster, producer, topic) = (queue.Cluster, queue.Producer, queue.Topic);
        await producer.PublishAsync("Q", "warm-up", cancellationToken: TestContext.Current.CancellationToken);

        cluster.SetBrokerDown(1);
        var queued = Enumerable.Range(0, 10).Select(i => producer.PublishAsync("Q", "queued-" + i)).ToList();
        using var cancellation = new CancellationTokenSource();
        var waiting = Enumerable.Range(0, 3).Select(i => producer.PublishAsync("Q", "waiting-" + i, cancellationToken: cancellation.Token)).ToList();
        Assert.All(waiting, t => Assert.False(t.IsCompleted));

        await cancellation.CancelAsync();
        foreach (var task in waiting)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        }

        Assert.Equal(3, producer.GetStatistics().MessagesFailed);
        cluster.SetBrokerUp(1);
        await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        var values = TopicReader.ReadAll(cluster.BootstrapServers, topic, TimeSpan.FromSeconds(60)).Select(r => r.Message.Value).ToList();
        Assert.Equal(["warm-up", .. Enumerable.Range(0, 10).Select(i => "queued-" + i)], values);
    }

    [Fact]
    public async Task PublishBatchAsync_ThroughAFullQueue_KeepsBatchOrder()
    {
        const int count = 2_000;
        await using var queue = SmallQueue.Create("batch-queue-full", 50, TimeSpan.FromMilliseconds(20));
        var (cluster, producer, topic) = (queue.Cluster, queue.Producer, queue.Topic);

        var result = await producer.PublishBatchAsync("Q", Enumerable.Range(0, count).Select(i => new EventMessage<string>("m-" + i, "one-key")), TestContext.Current.CancellationToken);

        Assert.True(result.AllSucceeded, result.ToString());
        Assert.Equal(Enumerable.Range(0, count), result.Outcomes.Select(o => o.Index));
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), result.Outcomes.Select(o => o.Result!.Offset));
        Assert.Equal(count, result.Outcomes.Select(o => o.Result!.MessageId).Distinct().Count());
        var values = TopicReader.ReadAll(cluster.BootstrapServers, topic, TimeSpan.FromSeconds(60)).Select(r => r.Message.Value);
        Assert.Equal(Enumerable.Range(0, count).Select(i => "m-" + i), values);
        Assert.Equal((long)count, producer.GetStatistics().MessagesSent);
    }

    [Fact]
    public async Task FatalError_ProducerRebuiltOnce_ThenFailedOnSecond()
    {
        var topic = KafkaTestBroker.UniqueTopic("fatal");
        await broker.CreateTopicAsync(topic, 1, 3);
        await using var producer = new EventProducer(broker.CreateOptions(Service, ("KAFKA_TOPIC_F", topic)));
        var ct = TestContext.Current.CancellationToken;
        await producer.PublishAsync("F", "before", cancellationToken: ct);
        var firstClientId = producer.ClientId;

        KafkaClientFaults.TriggerFatalError(producer.Handle, ErrorCode.OutOfOrderSequenceNumber, "test: idempotence state lost");
        await Wait.UntilAsync(() => producer.State == EventProducerState.Degraded, TimeSpan.FromSeconds(30), "the producer to be rebuilt");

        Assert.NotEqual(firstClientId, producer.ClientId);
        Assert.Equal(1, producer.GetStatistics().Rebuilds);
        Assert.Contains("Fatal", producer.GetStatistics().LastError, StringComparison.OrdinalIgnoreCase);
        await producer.PublishAsync("F", "after-rebuild", cancellationToken: ct);

        KafkaClientFaults.TriggerFatalError(producer.Handle, ErrorCode.OutOfOrderSequenceNumber, "test: again");
        await Wait.UntilAsync(() => producer.State == EventProducerState.Failed, TimeSpan.FromSeconds(30), "the producer to give up");
        var ex = await Assert.ThrowsAsync<EventPublishException>(() => producer.PublishAsync("F", "after-second", cancellationToken: ct));
        output.WriteLine(ex.Message);
        Assert.True(ex.IsFatal);
        Assert.False(ex.IsRetriable);

        var values = TopicReader.ReadAll(broker.BootstrapServers, topic, TimeSpan.FromSeconds(30)).Select(r => r.Message.Value).ToList();
        Assert.Equal(["before", "after-rebuild"], values);
    }

    private sealed record OrderEvent(string Key, int Sequence, int Index);

    /// <summary>A one-broker cluster with a one-partition topic (key <c>Q</c>) and a producer whose local queue holds only a few messages.</summary>
    private sealed record SmallQueue(MockKafkaCluster Cluster, EventProducer Producer, string Topic) : IAsyncDisposable
    {
        public static SmallQueue Create(string name, int queueMessages, TimeSpan? roundTrip = null)
        {
            var cluster = new MockKafkaCluster(1);
            var topic = KafkaTestBroker.UniqueTopic(name);
            cluster.CreateTopic(topic, 1, 1);
            if (roundTrip is { } rtt)
            {
                cluster.SetBrokerRoundTripTime(1, rtt);
            }

            var options = KafkaTestBroker.CreateOptions(cluster.BootstrapServers, Service, ("KAFKA_TOPIC_Q", topic));
            options.Producer.AdditionalProperties["queue.buffering.max.messages"] = queueMessages.ToString(CultureInfo.InvariantCulture);
            return new SmallQueue(cluster, new EventProducer(options), topic);
        }

        public async ValueTask DisposeAsync()
        {
            await Producer.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }
}
