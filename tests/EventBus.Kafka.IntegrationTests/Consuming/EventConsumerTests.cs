using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Consuming;

public sealed class EventConsumerTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    private static readonly (string, string)[] FastGroup =
    [
        ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "500"),
    ];

    [Fact]
    public async Task Consume50000_EveryMessageHandled_CommittedEqualsEndOffsets()
    {
        const int count = 50_000;
        var topic = KafkaTestBroker.UniqueTopic("consume");
        await broker.CreateTopicAsync(topic, 6, 3);
        TestData.Produce(broker.BootstrapServers, topic, 0, count);
        var group = "g-" + topic;
        var options = Options(broker.BootstrapServers, topic, group);
        var seen = new ConcurrentDictionary<int, int>();

        await using var consumer = new EventConsumerBuilder(options)
            .AddHandler<int>("IN", (ctx, _) =>
            {
                seen.AddOrUpdate(ctx.Message, 1, (_, n) => n + 1);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => seen.Count == count, TimeSpan.FromSeconds(120), $"{count} messages (have {seen.Count})");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        var (committed, end) = TestData.Offsets(broker.BootstrapServers, group, topic);
        output.WriteLine($"handled {seen.Values.Sum()} ({seen.Count} distinct); committed/end {TestData.Describe(committed, end)}; {consumer.GetStatistics()}");
        Assert.Equal(Enumerable.Range(0, count), seen.Keys.Order());
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.Equal(end, committed);
        Assert.Equal(EventConsumerState.Stopped, consumer.State);
    }

    [Fact]
    public async Task Crash_AbruptDisposeMidway_NewConsumerFinishes_DuplicatesWithinUncommittedWindow()
    {
        const int count = 50_000;
        var topic = KafkaTestBroker.UniqueTopic("crash");
        await broker.CreateTopicAsync(topic, 6, 3);
        TestData.Produce(broker.BootstrapServers, topic, 0, count);
        var group = "g-" + topic;
        var options = Options(broker.BootstrapServers, topic, group, FastGroup);
        var seen = new ConcurrentDictionary<int, int>();
        var handled = 0;
        EventMessageHandler<int> handler = (ctx, _) =>
        {
            seen.AddOrUpdate(ctx.Message, 1, (_, n) => n + 1);
            Interlocked.Increment(ref handled);
            return Task.CompletedTask;
        };

        var first = new EventConsumerBuilder(options).AddHandler("IN", handler).Build();
        first.Start();
        await Wait.UntilAsync(() => Volatile.Read(ref handled) >= count / 2, TimeSpan.FromSeconds(60), "half the messages");
        await first.KillAsync();
        var handledByFirst = Volatile.Read(ref handled);
        var firstStatistics = first.GetStatistics();

        await using var second = new EventConsumerBuilder(options).AddHandler("IN", handler).Build();
        second.Start();
        await Wait.UntilAsync(() => seen.Count == count, TimeSpan.FromSeconds(120), $"all {count} messages (have {seen.Count})");
        await second.StopAsync(TestContext.Current.CancellationToken);

        var duplicates = seen.Values.Sum() - count;
        var window = options.Consumer.MaxPollRecords + new EventConsumerOptions().CommitBatchSize;
        output.WriteLine($"first consumer handled {handledByFirst} before the crash ({firstStatistics.Commits} commits); duplicates after restart: {duplicates} (bound: in-flight {options.Consumer.MaxPollRecords} + commit batch {new EventConsumerOptions().CommitBatchSize} = {window})");
        Assert.Equal(Enumerable.Range(0, count), seen.Keys.Order());
        Assert.InRange(duplicates, 0, window);
        var (committed, end) = TestData.Offsets(broker.BootstrapServers, group, topic);
        Assert.Equal(end, committed);
    }

    [Fact]
    public async Task CooperativeRebalance_ThreeJoinOneLeaves_NothingLost_UnrevokedPartitionsKeepFlowing()
    {
        const int count = 60_000;
        var topic = KafkaTestBroker.UniqueTopic("rebalance");
        await broker.CreateTopicAsync(topic, 12, 3);
        var group = "g-" + topic;
        var options = Options(broker.BootstrapServers, topic, group, [.. FastGroup, ("KAFKA_CONSUMER_MAX_POLL_RECORDS", "5000")]);
        var seen = new ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();
        var handledAt = new ConcurrentBag<(string Member, int Partition, TimeSpan At)>();
        var revokes = new ConcurrentBag<(string Member, TimeSpan At, HashSet<int> Partitions)>();
        var assigns = new ConcurrentBag<(string Member, TimeSpan At, HashSet<int> Partitions)>();

        EventConsumer Member(string name) => new EventConsumerBuilder(options)
            .Configure(o =>
            {
                o.MaxConcurrency = 16;
                o.PartitionsRevoked = p => revokes.Add((name, clock.Elapsed, p.Select(x => x.Partition.Value).ToHashSet()));
                o.PartitionsAssigned = p => assigns.Add((name, clock.Elapsed, p.Select(x => x.Partition.Value).ToHashSet()));
            })
            .AddHandler<int>("IN", async (ctx, ct) =>
            {
                seen.AddOrUpdate(ctx.Message, 1, (_, n) => n + 1);
                handledAt.Add((name, ctx.Partition, clock.Elapsed));
                await Task.Delay(1, ct);
            })
            .Build();

        // Records keep flowing the whole time: all are written up front and each handler waits ~1 ms, so consuming
        // them takes longer than the joins and the leave together.
        TestData.Produce(broker.BootstrapServers, topic, 0, count, keys: 1_000);
        await using var a = Member("A");
        await using var b = Member("B");
        await using var c = Member("C");
        a.Start();
        await Wait.UntilAsync(() => seen.Count > 2_000, TimeSpan.FromSeconds(120), "A consuming");
        b.Start();
        await Wait.UntilAsync(() => assigns.Any(x => x.Member == "B"), TimeSpan.FromSeconds(120), "B assigned");
        c.Start();
        await Wait.UntilAsync(() => assigns.Any(x => x.Member == "C"), TimeSpan.FromSeconds(120), "C assigned");
        var seenBeforeLeave = seen.Count;
        await Wait.UntilAsync(() => seen.Count > seenBeforeLeave + 2_000 || seen.Count == count, TimeSpan.FromSeconds(120), "progress with three members");
        await c.StopAsync(TestContext.Current.CancellationToken);
        await Wait.UntilAsync(() => seen.Count == count, TimeSpan.FromSeconds(300), $"all {count} messages (have {seen.Count})"); // timer-bound handlers: slower under load, not wrong
        await a.StopAsync(TestContext.Current.CancellationToken);
        await b.StopAsync(TestContext.Current.CancellationToken);

        // During each revocation of A's partitions, A's other partitions kept being handled.
        var flowingDuringRebalance = 0;
        foreach (var revoke in revokes.Where(r => r.Member == "A"))
        {
            // The rebalance ends when the revoked partitions reach their new owner (the first non-empty assignment after it).
            var next = assigns.Where(x => x.At > revoke.At && x.Partitions.Count > 0).Select(x => x.At).DefaultIfEmpty(revoke.At + TimeSpan.FromSeconds(1)).Min();
            flowingDuringRebalance += handledAt.Count(h => h.Member == "A" && !revoke.Partitions.Contains(h.Partition) && h.At >= revoke.At && h.At <= next + TimeSpan.FromMilliseconds(200));
        }

        output.WriteLine("A handled per second (kept partitions 6-11 / all): " + string.Join(" ", handledAt.Where(h => h.Member == "A").GroupBy(h => (int)h.At.TotalSeconds).OrderBy(g => g.Key).Select(g => $"{g.Key}s:{g.Count(h => h.Partition >= 6)}/{g.Count()}")));
        var duplicates = seen.Values.Sum() - count;
        var statistics = new[] { a, b, c }.Select(m => m.GetStatistics()).ToList();
        output.WriteLine($"revocations: {string.Join("; ", revokes.OrderBy(r => r.At).Select(r => $"{r.Member}@{r.At.TotalMilliseconds:0}ms [{string.Join(",", r.Partitions.Order())}]"))}");
        output.WriteLine($"assignments: {string.Join("; ", assigns.OrderBy(r => r.At).Select(r => $"{r.Member}@{r.At.TotalMilliseconds:0}ms [{string.Join(",", r.Partitions.Order())}]"))}");
        output.WriteLine($"A handled {flowingDuringRebalance} records on partitions it kept while its other partitions were being revoked; duplicates {duplicates}; commit failures {string.Join("/", statistics.Select(s => s.CommitFailures))}");
        Assert.Equal(Enumerable.Range(0, count), seen.Keys.Order());
        Assert.All(statistics, s => Assert.Equal(EventConsumerState.Stopped, s.State));
        Assert.Contains(revokes, r => r.Member == "A");
        Assert.True(flowingDuringRebalance > 0, "unrevoked partitions kept flowing during the rebalance");
        Assert.InRange(duplicates, 0, 3 * (options.Consumer.MaxPollRecords + 1_000));
        var (committed, end) = TestData.Offsets(broker.BootstrapServers, group, topic);
        output.WriteLine("committed/end " + TestData.Describe(committed, end));
        Assert.Equal(end, committed);
    }

    [Fact]
    public async Task SlowHandler_LongerThanMaxPollInterval_StaysInGroup()
    {
        var topic = KafkaTestBroker.UniqueTopic("slow");
        await broker.CreateTopicAsync(topic, 1, 3);
        TestData.Produce(broker.BootstrapServers, topic, 0, 3);
        var group = "g-" + topic;
        var options = Options(broker.BootstrapServers, topic, group,
            ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "500"), ("KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "6000"));
        var handled = new ConcurrentQueue<int>();
        var slow = Stopwatch.StartNew();

        await using var consumer = new EventConsumerBuilder(options)
            .AddHandler<int>("IN", async (ctx, ct) =>
            {
                if (ctx.Message == 0)
                {
                    slow.Restart();
                    await Task.Delay(TimeSpan.FromSeconds(9), ct); // 1.5 × max.poll.interval.ms: the scenario itself
                    slow.Stop();
                }

                handled.Enqueue(ctx.Message);
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => handled.Count == 3, TimeSpan.FromSeconds(60), "all three messages");
        await Wait.UntilAsync(() => TestData.Offsets(broker.BootstrapServers, group, topic).Committed[0] == 3, TimeSpan.FromSeconds(30), "the commit");

        var statistics = consumer.GetStatistics();
        output.WriteLine($"slow handler took {slow.ElapsedMilliseconds} ms against max.poll.interval.ms 6000; {statistics}");
        Assert.True(slow.Elapsed > TimeSpan.FromSeconds(6));
        Assert.Equal([0, 1, 2], handled);
        Assert.Equal(1, statistics.Rebalances); // the first assignment only: never revoked, never lost
        Assert.Equal(EventConsumerState.Running, statistics.State);
    }

    [Fact]
    public async Task HandlerThrows_RetriedThenDeadLetteredWithSpringHeaders_ErrorEventPublished()
    {
        const int count = 300;
        var topic = KafkaTestBroker.UniqueTopic("dlq-src");
        var dlq = KafkaTestBroker.UniqueTopic("dlq");
        var errors = KafkaTestBroker.UniqueTopic("errors");
        await broker.CreateTopicAsync(topic, 3, 3);
        await broker.CreateTopicAsync(dlq, 1, 3);
        await broker.CreateTopicAsync(errors, 1, 3);
        TestData.Produce(broker.BootstrapServers, topic, 0, count, headers: i => new Headers { { "trace-me", Encoding.UTF8.GetBytes("t-" + i) } });
        var group = "g-" + topic;
        var options = Options(broker.BootstrapServers, topic, group, ("KAFKA_TOPIC_DLQ", dlq), ("KAFKA_TOPIC_ERRORS", errors));
        var attempts = new ConcurrentDictionary<int, int>();
        static bool Poisoned(int i) => i % 50 == 7;

        await using var consumer = new EventConsumerBuilder(options)
            .Configure(o =>
            {
                o.MaxRetries = 2;
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            })
            .AddHandler<int>("IN", (ctx, _) =>
            {
                attempts.AddOrUpdate(ctx.Message, ctx.Attempt, (_, n) => Math.Max(n, ctx.Attempt));
                return Poisoned(ctx.Message) ? throw new InvalidOperationException($"poisoned message {ctx.Message}") : Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        var poisoned = Enumerable.Range(0, count).Where(Poisoned).ToList();
        await Wait.UntilAsync(() => consumer.GetStatistics().RecordsDeadLettered == poisoned.Count && attempts.Count == count, TimeSpan.FromSeconds(60), "the poisoned messages to be dead-lettered");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        Assert.All(poisoned, i => Assert.Equal(3, attempts[i]));
        Assert.All(Enumerable.Range(0, count).Except(poisoned), i => Assert.Equal(1, attempts[i]));
        var dead = TopicReader.ReadAll(broker.BootstrapServers, dlq, TimeSpan.FromSeconds(30));
        Assert.Equal(poisoned, dead.Select(r => int.Parse(r.Message.Value, CultureInfo.InvariantCulture)).Order());
        var originals = TopicReader.ReadAll(broker.BootstrapServers, topic, TimeSpan.FromSeconds(30)).ToDictionary(r => r.Message.Value);
        foreach (var record in dead)
        {
            var original = originals[record.Message.Value];
            var h = record.Message.Headers;
            Assert.Equal(original.Message.Key, record.Message.Key);
            Assert.Equal("t-" + record.Message.Value, TestData.Header(h, "trace-me"));
            Assert.Equal(typeof(InvalidOperationException).FullName, TestData.Header(h, "kafka_dlt-exception-fqcn"));
            Assert.Equal($"poisoned message {record.Message.Value}", TestData.Header(h, "kafka_dlt-exception-message"));
            Assert.Contains("InvalidOperationException", TestData.Header(h, "kafka_dlt-exception-stacktrace"), StringComparison.Ordinal);
            Assert.Equal(topic, TestData.Header(h, "kafka_dlt-original-topic"));
            Assert.Equal(original.Partition.Value, BinaryPrimitives.ReadInt32BigEndian(h.GetLastBytes("kafka_dlt-original-partition")));
            Assert.Equal(4, h.GetLastBytes("kafka_dlt-original-partition").Length);
            Assert.Equal(original.Offset.Value, BinaryPrimitives.ReadInt64BigEndian(h.GetLastBytes("kafka_dlt-original-offset")));
            Assert.Equal(original.Message.Timestamp.UnixTimestampMs, BinaryPrimitives.ReadInt64BigEndian(h.GetLastBytes("kafka_dlt-original-timestamp")));
            Assert.Equal(group, TestData.Header(h, "kafka_dlt-original-consumer-group"));
        }

        var errorEvents = TopicReader.ReadAll(broker.BootstrapServers, errors, TimeSpan.FromSeconds(30))
            .Select(r => JsonSerializer.Deserialize<ErrorEvent>(r.Message.Value, JsonSerializerOptions.Web)!).ToList();
        Assert.Equal(poisoned.Count, errorEvents.Count);
        var sample = errorEvents.Single(e => originals.Values.Single(o => o.Partition.Value == e.Partition && o.Offset.Value == e.Offset).Message.Value == "7");
        Assert.Equal(("itest", group, topic, typeof(InvalidOperationException).FullName, "poisoned message 7", 3, dlq),
            (sample.Service, sample.ConsumerGroup, sample.Topic, sample.ExceptionType, sample.ExceptionMessage, sample.Attempts, sample.DeadLetterTopic));
        var (committed, end) = TestData.Offsets(broker.BootstrapServers, group, topic);
        Assert.Equal(end, committed);
        output.WriteLine($"dead-lettered {dead.Count}, error events {errorEvents.Count}; {consumer.GetStatistics()}");
    }

    [Fact]
    public async Task DeadLetterPublishFailing_OffsetNotCommitted_RetriedUntilItSucceeds()
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("dlq-fail-src");
        var dlq = KafkaTestBroker.UniqueTopic("dlq-fail");
        cluster.CreateTopic(topic, 1, 1);
        cluster.CreateTopic(dlq, 1, 1);
        TestData.Produce(cluster.BootstrapServers, topic, 0, 10);
        var group = "g-" + topic;
        var options = Options(cluster.BootstrapServers, topic, group, ("KAFKA_TOPIC_DLQ", dlq));
        options.Producer.AdditionalProperties["message.timeout.ms"] = "1000"; // so the failing publishes surface
        await using var consumer = new EventConsumerBuilder(options)
            .Configure(o =>
            {
                o.CommitMode = CommitMode.PerMessage;
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
                o.RetryMaxDelay = TimeSpan.FromMilliseconds(200);
            })
            .AddHandler<int>("IN", (ctx, _) => ctx.Message == 3 ? throw new FormatException("never valid") : Task.CompletedTask)
            .Build();

        // Every produce request fails for a while: the dead-letter publish of message 3 cannot succeed.
        cluster.PushRequestErrors(KafkaApiKey.Produce, Enumerable.Repeat(ErrorCode.NotEnoughReplicas, 20).ToArray());
        consumer.Start();
        await Wait.UntilAsync(() => consumer.GetStatistics().DeadLetterAttemptsFailed >= 2, TimeSpan.FromSeconds(60), "dead-letter publishes to fail");
        var committedWhileFailing = TestData.Offsets(cluster.BootstrapServers, group, topic).Committed[0];
        Assert.Equal(0, consumer.GetStatistics().RecordsDeadLettered);

        await Wait.UntilAsync(() => consumer.GetStatistics().RecordsDeadLettered == 1, TimeSpan.FromSeconds(60), "the dead-letter publish to succeed");
        await Wait.UntilAsync(() => TestData.Offsets(cluster.BootstrapServers, group, topic).Committed[0] == 10, TimeSpan.FromSeconds(30), "everything committed");
        var dead = TopicReader.ReadAll(cluster.BootstrapServers, dlq, TimeSpan.FromSeconds(30));
        output.WriteLine($"committed while the DLQ publish failed: {committedWhileFailing}; failures {consumer.GetStatistics().DeadLetterAttemptsFailed}; DLQ copies {dead.Count}");
        Assert.Equal(3, committedWhileFailing); // 0-2 committed, 3 held back
        Assert.Equal(["3"], dead.Select(r => r.Message.Value));
    }

    [Fact]
    public async Task InvalidJson_StraightToDeadLetter_NoRetries_ConsumerKeepsGoing()
    {
        var topic = KafkaTestBroker.UniqueTopic("badjson");
        var dlq = KafkaTestBroker.UniqueTopic("badjson-dlq");
        await broker.CreateTopicAsync(topic, 1, 3);
        await broker.CreateTopicAsync(dlq, 1, 3);
        TestData.Produce(broker.BootstrapServers, topic, 0, 20, value: i => i == 5 ? "{not json" : JsonSerializer.Serialize(new Item(i, "n" + i), JsonSerializerOptions.Web));
        var group = "g-" + topic;
        var handled = new ConcurrentQueue<int>();
        await using var consumer = new EventConsumerBuilder(Options(broker.BootstrapServers, topic, group, ("KAFKA_TOPIC_DLQ", dlq)))
            .AddHandler<Item>("IN", (ctx, _) =>
            {
                handled.Enqueue(ctx.Message.Id);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => handled.Count == 19 && consumer.GetStatistics().RecordsDeadLettered == 1, TimeSpan.FromSeconds(60), "19 handled, 1 dead-lettered");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        var statistics = consumer.GetStatistics();
        Assert.Equal(Enumerable.Range(0, 20).Where(i => i != 5), handled);
        Assert.Equal(0, statistics.AttemptsRetried);
        var dead = Assert.Single(TopicReader.ReadAll(broker.BootstrapServers, dlq, TimeSpan.FromSeconds(30)));
        Assert.Equal("{not json", dead.Message.Value);
        Assert.StartsWith("System.Text.Json.JsonException", TestData.Header(dead.Message.Headers, "kafka_dlt-exception-fqcn"), StringComparison.Ordinal);
        Assert.Equal(20, TestData.Offsets(broker.BootstrapServers, group, topic).Committed[0]);
    }

    [Fact]
    public async Task MaxConcurrency4_Over8Partitions_KeepsPartitionOrder_AtLeast2point5TimesFaster()
    {
        // Long enough that a stall of a second on a loaded machine does not decide the ratio (each run is seconds).
        const int count = 1_600;
        var topic = KafkaTestBroker.UniqueTopic("concurrency");
        await broker.CreateTopicAsync(topic, 8, 3);
        TestData.Produce(broker.BootstrapServers, topic, 0, count, keys: 64);

        async Task<(TimeSpan Elapsed, bool Ordered, int MostAtOnce)> RunAsync(int concurrency)
        {
            var group = $"g-{topic}-{concurrency}";
            var order = new ConcurrentDictionary<int, ConcurrentQueue<long>>();
            var done = 0;
            var running = 0;
            var mostAtOnce = 0;
            var clock = new Stopwatch();
            await using var consumer = new EventConsumerBuilder(Options(broker.BootstrapServers, topic, group))
                .Configure(o => o.MaxConcurrency = concurrency)
                .AddHandler<int>("IN", async (ctx, ct) =>
                {
                    lock (clock)
                    {
                        clock.Start();
                        mostAtOnce = Math.Max(mostAtOnce, ++running);
                    }

                    order.GetOrAdd(ctx.Partition, _ => new ConcurrentQueue<long>()).Enqueue(ctx.Offset);
                    await Task.Delay(5, ct); // waits, does not compute: machine noise does not decide the ratio
                    lock (clock)
                    {
                        running--;
                        if (++done == count)
                        {
                            clock.Stop(); // the last record's end, not the test's next poll of the count
                        }
                    }
                })
                .Build();
            consumer.Start();
            await Wait.UntilAsync(() => Volatile.Read(ref done) == count, TimeSpan.FromSeconds(180), $"{count} messages at concurrency {concurrency}");
            await consumer.StopAsync(TestContext.Current.CancellationToken);
            return (clock.Elapsed, order.Values.All(q => q.SequenceEqual(q.Order())), mostAtOnce);
        }

        var one = await RunAsync(1);
        var four = await RunAsync(4);

        var ratio = one.Elapsed / four.Elapsed;
        output.WriteLine($"MaxConcurrency 1: {count / one.Elapsed.TotalSeconds:0} msg/s; MaxConcurrency 4: {count / four.Elapsed.TotalSeconds:0} msg/s; ratio {ratio:0.00}");
        Assert.True(one.Ordered && four.Ordered, "per-partition order kept");
        Assert.Equal((1, 4), (one.MostAtOnce, four.MostAtOnce));
        Assert.True(ratio >= 2.5, $"throughput ratio {ratio:0.00} < 2.5");
    }

    [Fact]
    public async Task Shutdown_With100InFlight_WorkFinishesAndIsCommitted_WithinTimeout()
    {
        var topic = KafkaTestBroker.UniqueTopic("shutdown");
        await broker.CreateTopicAsync(topic, 4, 3);
        TestData.Produce(broker.BootstrapServers, topic, 0, 1_000, keys: 1_000);
        var group = "g-" + topic;
        var started = new ConcurrentDictionary<(int, long), bool>();
        var completed = new ConcurrentDictionary<(int, long), bool>();
        var consumer = new EventConsumerBuilder(Options(broker.BootstrapServers, topic, group))
            .Configure(o =>
            {
                o.MaxConcurrency = 100;
                o.Ordering = OrderingMode.Key;
                o.ShutdownTimeout = TimeSpan.FromSeconds(10);
                o.CloseTimeout = TimeSpan.FromSeconds(5);
            })
            .AddHandler<int>("IN", async (ctx, _) =>
            {
                started[(ctx.Partition, ctx.Offset)] = true;
                await Task.Delay(500, CancellationToken.None); // in-flight work that must finish, not be cancelled
                completed[(ctx.Partition, ctx.Offset)] = true;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => started.Count >= 100, TimeSpan.FromSeconds(30), "100 handlers in flight");

        var stopwatch = Stopwatch.StartNew();
        await consumer.StopAsync(TestContext.Current.CancellationToken);
        stopwatch.Stop();
        await consumer.DisposeAsync();

        var (committed, _) = TestData.Offsets(broker.BootstrapServers, group, topic);
        output.WriteLine($"StopAsync took {stopwatch.ElapsedMilliseconds} ms with {started.Count} started; committed {string.Join(",", committed.Select(c => $"{c.Key}:{c.Value}"))}");
        Assert.Equal(started.Keys.Order(), completed.Keys.Order());
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"stop took {stopwatch.Elapsed}");
        foreach (var (partition, offset) in committed)
        {
            // The committed offset is the first offset of the partition not completed: everything below it was handled.
            var expected = 0L;
            while (completed.ContainsKey((partition, expected)))
            {
                expected++;
            }

            Assert.Equal(Math.Max(expected, 0), offset < 0 ? 0 : offset);
        }
    }

    [Fact]
    public async Task Shutdown_BrokerDown_ReturnsWithinBound()
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("shutdown-down");
        cluster.CreateTopic(topic, 2, 1);
        TestData.Produce(cluster.BootstrapServers, topic, 0, 200);
        var handled = 0;
        var consumer = new EventConsumerBuilder(Options(cluster.BootstrapServers, topic, "g-" + topic))
            .Configure(o =>
            {
                o.ShutdownTimeout = TimeSpan.FromSeconds(2);
                o.CloseTimeout = TimeSpan.FromSeconds(2);
            })
            .AddHandler<int>("IN", async (_, ct) =>
            {
                Interlocked.Increment(ref handled);
                await Task.Delay(20, ct);
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => Volatile.Read(ref handled) > 10, TimeSpan.FromSeconds(30), "consuming");

        cluster.SetBrokerDown(1);
        var stopwatch = Stopwatch.StartNew();
        await consumer.DisposeAsync();
        stopwatch.Stop();

        output.WriteLine($"stopped in {stopwatch.ElapsedMilliseconds} ms with the broker down (bound 2 s drain + 2 s close)");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4) + TimeSpan.FromSeconds(6), $"stop took {stopwatch.Elapsed}"); // 6 s of slack for a loaded machine; unbounded would be the session timeout or more
        Assert.Equal(EventConsumerState.Stopped, consumer.State);
    }

    private static EventBusOptions Options(string bootstrap, string topic, string group, params (string, string)[] extra) =>
        KafkaTestBroker.CreateOptions(bootstrap, "itest", [("KAFKA_TOPIC_IN", topic), ("KAFKA_CONSUMER_GROUP", group), .. extra]);

    private sealed record Item(int Id, string Name);
}
