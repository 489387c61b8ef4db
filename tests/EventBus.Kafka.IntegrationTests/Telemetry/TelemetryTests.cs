using System.Collections.Concurrent;
using System.Diagnostics;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Diagnostics;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Telemetry;

/// <summary>
/// What an OpenTelemetry SDK would receive (an ActivityListener and a MeterListener attached to
/// <see cref="EventBusInstrumentation"/>'s names), through a MockKafkaCluster: the trace context crosses the broker in the
/// records' headers. Alone (<see cref="ProcessListenersCollection"/>): the listeners are process-wide.
/// </summary>
[Collection(ProcessListenersCollection.Name)]
public sealed class TelemetryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PublishAndConsume_SendAndProcessSpansInOneTrace_TagsAndCountersRight()
    {
        const int count = 20;
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("tel");
        cluster.CreateTopic(topic, 3, 1);
        var group = "g-" + topic;
        using var capture = new TelemetryCapture(topic, group);
        var options = Options(cluster.BootstrapServers, topic, group);

        // The caller's own span (a request, say): every send span is its child, so the whole flow is one trace.
        var results = new List<PublishResult>();
        ActivityTraceId traceId;
        ActivitySpanId rootSpanId;
        await using (var producer = new EventProducer(options))
        {
            using var root = new Activity("test-request").SetIdFormat(ActivityIdFormat.W3C).Start();
            traceId = root.TraceId;
            rootSpanId = root.SpanId;
            for (var i = 0; i < count; i++)
            {
                results.Add(await producer.PublishAsync("IN", i, "key-" + i, cancellationToken: TestContext.Current.CancellationToken));

                // The send span is a child, never the caller's current activity: the next publish is the root's child too.
                Assert.Same(root, Activity.Current);
            }
        }

        var handled = 0;
        await using var consumer = new EventConsumerBuilder(options)
            .AddHandler<int>("IN", (_, _) =>
            {
                Interlocked.Increment(ref handled);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => capture.SpansOf(ActivityKind.Consumer, topic).Count == count, TimeSpan.FromSeconds(60), $"{count} process spans (have {capture.SpansOf(ActivityKind.Consumer, topic).Count}, handled {handled})");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        var sends = capture.SpansOf(ActivityKind.Producer, topic);
        var processes = capture.SpansOf(ActivityKind.Consumer, topic);
        output.WriteLine($"{sends.Count} send spans, {processes.Count} process spans; trace {traceId}");
        Assert.Equal(count, sends.Count);
        var sendsByOffset = sends.ToDictionary(s => (s.GetTagItem("messaging.destination.partition.id"), s.GetTagItem("messaging.kafka.offset")));
        foreach (var result in results)
        {
            var send = sendsByOffset[(result.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture), (object)result.Offset)];
            Assert.Equal($"send {topic}", send.DisplayName);
            Assert.Equal((traceId, rootSpanId), (send.TraceId, send.ParentSpanId));
            Assert.Equal("kafka", send.GetTagItem("messaging.system"));
            Assert.Equal("send", send.GetTagItem("messaging.operation.type"));
            Assert.Equal(result.MessageId, send.GetTagItem("messaging.message.id"));
            Assert.StartsWith("key-", (string)send.GetTagItem("messaging.kafka.message.key")!, StringComparison.Ordinal);
            Assert.Equal(ActivityStatusCode.Unset, send.Status);
        }

        Assert.Equal(count, processes.Count);
        foreach (var process in processes)
        {
            var key = (process.GetTagItem("messaging.destination.partition.id"), process.GetTagItem("messaging.kafka.offset"));
            var send = sendsByOffset[key];

            // Parented to the producer's span through the traceparent header: the same trace, across the broker.
            Assert.Equal((traceId, send.SpanId), (process.TraceId, process.ParentSpanId));
            Assert.Equal($"process {topic}", process.DisplayName);
            Assert.Equal("kafka", process.GetTagItem("messaging.system"));
            Assert.Equal("process", process.GetTagItem("messaging.operation.type"));
            Assert.Equal(group, process.GetTagItem("messaging.consumer.group.name"));
            Assert.Equal(send.GetTagItem("messaging.kafka.message.key"), process.GetTagItem("messaging.kafka.message.key"));
            Assert.Equal(send.GetTagItem("messaging.message.id"), process.GetTagItem("messaging.message.id"));
            Assert.Equal(ActivityStatusCode.Unset, process.Status);
        }

        Assert.Equal(count, capture.Sum("messaging.client.sent.messages", ("messaging.destination.name", topic)));
        Assert.DoesNotContain(capture.Measurements("messaging.client.sent.messages", ("messaging.destination.name", topic)), m => m.Tags.ContainsKey("error.type"));
        Assert.Equal(count, capture.Measurements("messaging.client.operation.duration", ("messaging.destination.name", topic), ("messaging.operation.name", "send")).Count);
        Assert.Equal(count, capture.Sum("messaging.client.consumed.messages", ("messaging.destination.name", topic), ("messaging.consumer.group.name", group)));
        Assert.Equal(count, capture.Measurements("messaging.process.duration", ("messaging.destination.name", topic), ("messaging.consumer.group.name", group)).Count);
        Assert.All(capture.Measurements("messaging.process.duration", ("messaging.destination.name", topic)), m => Assert.InRange(m.Value, 0, 60));
        Assert.True(capture.Sum("eventbus.consumer.rebalances", ("messaging.consumer.group.name", group), ("eventbus.rebalance.kind", "assigned")) >= 1);
        Assert.Equal(0, capture.Sum("eventbus.consumer.retries", ("messaging.destination.name", topic)));
    }

    [Fact]
    public async Task RetriedThenDeadLettered_RetriesAndDeadLetterCounted_EventsOnTheProcessSpan()
    {
        const int count = 5;
        const int poison = 2;
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("tel-retry");
        var dlq = KafkaTestBroker.UniqueTopic("tel-dlq");
        cluster.CreateTopic(topic, 1, 1);
        cluster.CreateTopic(dlq, 1, 1);
        var group = "g-" + topic;
        using var capture = new TelemetryCapture(topic, dlq, group);
        var options = Options(cluster.BootstrapServers, topic, group, ("KAFKA_TOPIC_DLQ", dlq));
        await using (var producer = new EventProducer(options))
        {
            for (var i = 0; i < count; i++)
            {
                await producer.PublishAsync("IN", i, cancellationToken: TestContext.Current.CancellationToken);
            }
        }

        await using var consumer = new EventConsumerBuilder(options)
            .Configure(o =>
            {
                o.MaxRetries = 2;
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            })
            .AddHandler<int>("IN", (ctx, _) => ctx.Message == poison ? throw new InvalidOperationException("poisoned") : Task.CompletedTask)
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => capture.SpansOf(ActivityKind.Consumer, topic).Count == count && capture.SpansOf(ActivityKind.Producer, dlq).Count == 1,
            TimeSpan.FromSeconds(60), "every record processed and the poisoned one dead-lettered");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        // Two retries, then the dead-letter topic: counted with the record's topic and the error's type.
        var errorType = typeof(InvalidOperationException).FullName;
        Assert.Equal(2, capture.Sum("eventbus.consumer.retries", ("messaging.destination.name", topic), ("error.type", errorType)));
        Assert.Equal(1, capture.Sum("eventbus.consumer.dead_lettered", ("messaging.destination.name", topic), ("messaging.consumer.group.name", group), ("error.type", errorType)));
        Assert.Equal(count, capture.Sum("messaging.client.consumed.messages", ("messaging.destination.name", topic)));
        Assert.Single(capture.Measurements("messaging.process.duration", ("messaging.destination.name", topic), ("error.type", errorType)));
        Assert.Equal(1, capture.Sum("messaging.client.sent.messages", ("messaging.destination.name", dlq)));
        Assert.Equal(consumer.GetStatistics().AttemptsRetried, capture.Sum("eventbus.consumer.retries", ("messaging.destination.name", topic)));

        var failed = Assert.Single(capture.SpansOf(ActivityKind.Consumer, topic), s => s.Status == ActivityStatusCode.Error);
        Assert.Equal(errorType, failed.GetTagItem("error.type"));
        var retries = failed.Events.Where(e => e.Name == "eventbus.retry").ToList();
        Assert.Equal([1, 2], retries.Select(e => (int)e.Tags.Single(t => t.Key == "eventbus.attempt").Value!));
        var deadLetter = Assert.Single(failed.Events, e => e.Name == "eventbus.dead_letter");
        Assert.Equal(dlq, deadLetter.Tags.Single(t => t.Key == "eventbus.dead_letter.topic").Value);

        // The dead-letter publish is a child of the process span: send → process → send to the DLQ, one trace.
        var dlqSend = Assert.Single(capture.SpansOf(ActivityKind.Producer, dlq));
        Assert.Equal((failed.TraceId, failed.SpanId), (dlqSend.TraceId, dlqSend.ParentSpanId));
        output.WriteLine($"process span {failed.DisplayName}: {string.Join(", ", failed.Events.Select(e => e.Name))}; DLQ send parent {dlqSend.ParentSpanId}");
    }

    [Fact]
    public async Task ConsumerLag_AssignedPartitionWithBacklog_GaugeReportsIt_ThenZeroOnceCommitted()
    {
        const int count = 10;
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("tel-lag");
        cluster.CreateTopic(topic, 1, 1);
        var group = "g-" + topic;
        using var capture = new TelemetryCapture(topic, group);
        TestData.Produce(cluster.BootstrapServers, topic, 0, count);
        var options = Options(cluster.BootstrapServers, topic, group, (EventBusEnvironmentVariables.ConsumerStatisticsIntervalMs, "100"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentBag<long>();

        // Record 0 is handled and committed; record 1 blocks its partition's lane: 9 records stay behind the commit.
        await using var consumer = new EventConsumerBuilder(options)
            .Configure(o => o.CommitMode = CommitMode.PerMessage)
            .AddHandler<int>("IN", async (ctx, ct) =>
            {
                if (ctx.Offset > 0)
                {
                    await gate.Task.WaitAsync(ct);
                }

                handled.Add(ctx.Offset);
            })
            .Build();
        consumer.Start();

        long? Lag()
        {
            capture.Collect();
            var lags = capture.Measurements("eventbus.consumer.lag", ("messaging.destination.name", topic), ("messaging.destination.partition.id", "0"), ("messaging.consumer.group.name", group));
            return lags.Count == 0 ? null : (long)lags[^1].Value;
        }

        await Wait.UntilAsync(() => Lag() == count - 1, TimeSpan.FromSeconds(60), $"a lag of {count - 1} (last seen {Lag()?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})");
        gate.SetResult();
        await Wait.UntilAsync(() => Lag() == 0, TimeSpan.FromSeconds(60), $"a lag of 0 once everything is committed (last seen {Lag()})");
        await consumer.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(count, handled.Count);

        // Once the consumer is released, its partitions are no longer reported.
        await consumer.DisposeAsync();
        var before = capture.Measurements("eventbus.consumer.lag", ("messaging.destination.name", topic)).Count;
        capture.Collect();
        Assert.Equal(before, capture.Measurements("eventbus.consumer.lag", ("messaging.destination.name", topic)).Count);
    }

    [Fact]
    public async Task PublishWaitCancelled_SendSpanEndsAsError_CountedAsFailed_CallerContextUntouched()
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("tel-cancel");
        cluster.CreateTopic(topic, 1, 1);
        using var capture = new TelemetryCapture(topic);
        await using var producer = new EventProducer(Options(cluster.BootstrapServers, topic, "g-" + topic));
        await producer.PublishAsync("IN", 0, "key", cancellationToken: TestContext.Current.CancellationToken);

        // With the broker down the acknowledgement never comes; the caller stops waiting.
        cluster.SetBrokerDown(1);
        using var root = new Activity("test-request").SetIdFormat(ActivityIdFormat.W3C).Start();
        using var stopWaiting = new CancellationTokenSource();
        var publish = producer.PublishAsync("IN", 1, "key", cancellationToken: stopWaiting.Token);
        Assert.Same(root, Activity.Current);
        await stopWaiting.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish);

        var cancelled = Assert.Single(capture.SpansOf(ActivityKind.Producer, topic), s => s.Status == ActivityStatusCode.Error);
        Assert.Equal(root.SpanId, cancelled.ParentSpanId);
        Assert.Equal("System.Threading.Tasks.TaskCanceledException", cancelled.GetTagItem("error.type"));

        // A span that ends without an acknowledgement still says which message it was.
        Assert.Equal("key", cancelled.GetTagItem("messaging.kafka.message.key"));
        Assert.Matches("^[0-9a-f]{32}$", (string)cancelled.GetTagItem("messaging.message.id")!);
        Assert.Equal(1, cancelled.GetTagItem("messaging.message.body.size"));
        Assert.Equal(1, capture.Sum("messaging.client.sent.messages", ("messaging.destination.name", topic), ("error.type", "System.Threading.Tasks.TaskCanceledException")));
        Assert.Equal(1, capture.Sum("messaging.client.sent.messages", ("messaging.destination.name", topic), ("messaging.destination.partition.id", "0")));
        cluster.SetBrokerUp(1);
    }

    [Theory]
    [InlineData("started")]
    [InlineData("stopped")]
    public async Task ListenerThrows_PublishStillCompletes_DeliveryReportsGoOn_CallerContextUntouched(string when)
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("tel-throw");
        cluster.CreateTopic(topic, 1, 1);
        using var listener = new ThrowingListener($"send {topic}", when);
        await using var producer = new EventProducer(Options(cluster.BootstrapServers, topic, "g-" + topic));
        using var root = new Activity("test-request").SetIdFormat(ActivityIdFormat.W3C).Start();

        // Every publish is acknowledged (none hangs, none fails), and the caller's activity stays current.
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => producer.PublishAsync("IN", i, "key", cancellationToken: TestContext.Current.CancellationToken)))
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Same(root, Activity.Current);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), results.Select(r => r.Offset).Order());
        Assert.Equal(20, listener.Calls);
        Assert.Equal(0, producer.GetStatistics().InFlight);
    }

    [Theory]
    [InlineData("started")]
    [InlineData("stopped")]
    public async Task ListenerThrowsOnProcessSpans_EveryRecordHandledOnce_NothingDeadLettered(string when)
    {
        const int count = 30;
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("tel-throw-process");
        cluster.CreateTopic(topic, 1, 1);
        TestData.Produce(cluster.BootstrapServers, topic, 0, count);
        using var listener = new ThrowingListener($"process {topic}", when);
        var handled = new ConcurrentBag<long>();
        await using var consumer = new EventConsumerBuilder(Options(cluster.BootstrapServers, topic, "g-" + topic))
            .AddHandler<int>("IN", (ctx, _) =>
            {
                handled.Add(ctx.Offset);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => consumer.GetStatistics().RecordsProcessed >= count, TimeSpan.FromSeconds(60), $"{count} records handled (have {handled.Count})");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), handled.Order());
        Assert.Equal(0, consumer.GetStatistics().RecordsFailed);
        Assert.True(listener.Calls >= count, $"the listener threw {listener.Calls} times");
    }

    private static EventBusOptions Options(string bootstrap, string topic, string group, params (string, string)[] extra) =>
        KafkaTestBroker.CreateOptions(bootstrap, "itest", [("KAFKA_TOPIC_IN", topic), ("KAFKA_CONSUMER_GROUP", group), .. extra]);
}
