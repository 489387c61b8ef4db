using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Producing;

/// <summary>
/// Regression tests of the producer's correctness review: no publish is acknowledged or failed wrongly, none waits
/// forever, and one bad item never takes down the others.
/// </summary>
public sealed class ProducerCorrectnessTests(ITestOutputHelper output)
{
    private const string Service = "orders-service";

    [Fact]
    public async Task FatalErrorRebuild_QueuedMessagesFailRetriable_SayingSo_NextPublishSucceeds()
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("fatal-queued");
        cluster.CreateTopic(topic, 1, 1);
        await using var producer = new EventProducer(KafkaTestBroker.CreateOptions(cluster.BootstrapServers, Service, ("KAFKA_TOPIC_F", topic), ("KAFKA_PRODUCER_LINGER_MS", "3000")));
        await producer.PublishToTopicAsync(topic, "warm-up", cancellationToken: TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var queued = Enumerable.Range(0, 5).Select(i => producer.PublishAsync("F", "queued-" + i, "k")).ToList();
        KafkaClientFaults.TriggerFatalError(producer.Handle, ErrorCode.OutOfOrderSequenceNumber, "test: idempotence state lost");

        var outcomes = new List<EventPublishException>();
        foreach (var task in queued)
        {
            outcomes.Add(await Assert.ThrowsAsync<EventPublishException>(() => task.WaitAsync(TimeSpan.FromSeconds(30))));
        }

        output.WriteLine(outcomes[0].Message);
        Assert.All(outcomes, e => Assert.True(e.IsRetriable, e.Message));
        Assert.All(outcomes, e => Assert.Contains("rebuilt", e.Message, StringComparison.Ordinal));
        await Wait.UntilAsync(() => producer.State == EventProducerState.Degraded, TimeSpan.FromSeconds(30), "the rebuild");
        var after = await producer.PublishAsync("F", "after", "k").WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(topic, after.Topic);
    }

    [Fact]
    public async Task FatalErrorRebuild_MessagesUnacknowledgedOnTheOldProducer_StillComplete()
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("fatal-inflight");
        cluster.CreateTopic(topic, 1, 1);
        await using var producer = new EventProducer(KafkaTestBroker.CreateOptions(cluster.BootstrapServers, Service,
            ("KAFKA_TOPIC_F", topic), ("KAFKA_PRODUCER_LINGER_MS", "0"), ("KAFKA_PRODUCER_CLOSE_TIMEOUT", "0.5")));
        await producer.PublishAsync("F", "warm-up", cancellationToken: TestContext.Current.CancellationToken);

        // Sent, but the broker answers only after the old producer is gone: no delivery report will ever come from it.
        cluster.SetBrokerRoundTripTime(1, TimeSpan.FromSeconds(5));
        var inFlight = Enumerable.Range(0, 5).Select(i => producer.PublishAsync("F", "in-flight-" + i, "k")).ToList();
        await Wait.UntilAsync(() => cluster is not null && producer.GetStatistics().InFlight == 5, TimeSpan.FromSeconds(5), "5 in flight");
        KafkaClientFaults.TriggerFatalError(producer.Handle, ErrorCode.OutOfOrderSequenceNumber, "test: idempotence state lost");

        var stopwatch = Stopwatch.StartNew();
        var completed = await Task.WhenAny(Task.WhenAll(inFlight), Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
        output.WriteLine($"in-flight publishes completed after {stopwatch.ElapsedMilliseconds} ms: {string.Join(", ", inFlight.Select(t => t.Status))}");
        Assert.All(inFlight, t => Assert.True(t.IsCompleted, "a publish was left waiting after the rebuild"));
        Assert.All(inFlight.Where(t => t.IsFaulted), t => Assert.True(((EventPublishException)t.Exception!.InnerException!).IsRetriable));
        Assert.Equal(0, producer.GetStatistics().InFlight);
    }

    [Fact]
    public async Task PublishAsync_CancelledAfterQueued_CompletesCancelledAtOnce()
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("cancel-queued");
        cluster.CreateTopic(topic, 1, 1);
        await using var producer = new EventProducer(KafkaTestBroker.CreateOptions(cluster.BootstrapServers, Service, ("KAFKA_TOPIC_C", topic)));
        await producer.PublishAsync("C", "warm-up", cancellationToken: TestContext.Current.CancellationToken);
        cluster.SetBrokerDown(1);

        using var cancellation = new CancellationTokenSource();
        var publish = producer.PublishAsync("C", "stuck", cancellationToken: cancellation.Token);
        Assert.False(publish.IsCompleted);
        var stopwatch = Stopwatch.StartNew();
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish.WaitAsync(TimeSpan.FromSeconds(5)));
        output.WriteLine($"cancelled publish completed after {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task PublishBatchAsync_ItemsThatThrowAnything_GetOutcomes_OthersPublishedOnce()
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("batch-throws");
        cluster.CreateTopic(topic, 1, 1);
        await using var producer = new EventProducer(KafkaTestBroker.CreateOptions(cluster.BootstrapServers, Service, ("KAFKA_TOPIC_B", topic)), serializer: new PickySerializer());
        var messages = new List<EventMessage<Payload>>
        {
            new(new Payload("ok-0")),
            new(new Payload("serializer-bug")),
            new(new Payload("ok-2")),
            new(new Payload("ok-3"), Headers: [new KeyValuePair<string, string>(null!, "a header without a name")]),
            new(new Payload("ok-4")),
        };

        var result = await producer.PublishBatchAsync("B", messages, TestContext.Current.CancellationToken);

        output.WriteLine(string.Join(Environment.NewLine, result.Outcomes.Select(o => $"{o.Index}: {(o.Succeeded ? "ok" : o.Error!.Message)}")));
        Assert.Equal(5, result.Outcomes.Count);
        Assert.Equal([true, false, true, false, true], result.Outcomes.Select(o => o.Succeeded));
        Assert.All(result.Outcomes.Where(o => !o.Succeeded), o => Assert.False(o.Error!.IsRetriable));
        var values = TopicReader.ReadAll(cluster.BootstrapServers, topic, TimeSpan.FromSeconds(30)).Select(r => JsonSerializer.Deserialize<Payload>(r.Message.Value)!.Name);
        Assert.Equal(["ok-0", "ok-2", "ok-4"], values);
    }

    [Fact]
    public async Task SynchronousPublish_RacingDispose_FailsWithThePublishOrDisposedError_NeverAnInternalOne()
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("publish-dispose");
        cluster.CreateTopic(topic, 1, 1);
        var options = KafkaTestBroker.CreateOptions(cluster.BootstrapServers, Service, ("KAFKA_TOPIC_P", topic), ("KAFKA_PRODUCER_CLOSE_TIMEOUT", "0"));
        var unexpected = new List<Exception>();
        for (var round = 0; round < 30; round++)
        {
            var producer = new EventProducer(options);
            using var go = new Barrier(9);
            var publishers = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
            {
                go.SignalAndWait(TestContext.Current.CancellationToken);
                for (var i = 0; i < 20; i++)
                {
                    try
                    {
                        producer.Publish("P", "m");
                    }
                    catch (EventPublishException)
                    {
                    }
                    catch (ObjectDisposedException ex) when (ex.ObjectName == typeof(EventProducer).FullName)
                    {
                    }
#pragma warning disable CA1031 // the test collects whatever else escapes
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        lock (unexpected)
                        {
                            unexpected.Add(ex);
                        }
                    }
                }
            }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
            go.SignalAndWait(TestContext.Current.CancellationToken);
            producer.Dispose();
            await Task.WhenAll(publishers);
        }

        Assert.True(unexpected.Count == 0, string.Join(Environment.NewLine, unexpected.Select(e => e.ToString())));
    }

    private sealed record Payload(string Name);

    /// <summary>A serializer with a bug for one payload: it throws an exception type nobody expects.</summary>
    private sealed class PickySerializer : IEventSerializer
    {
        public string ContentType => "application/json";

        public byte[] Serialize<T>(T value) =>
            value is Payload { Name: "serializer-bug" } ? throw new TimeZoneNotFoundException("a serializer failing in its own way") : JsonSerializer.SerializeToUtf8Bytes(value);

        public T Deserialize<T>(ReadOnlySpan<byte> data) => JsonSerializer.Deserialize<T>(data)!;
    }
}
