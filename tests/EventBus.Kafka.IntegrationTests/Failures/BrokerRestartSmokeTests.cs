using System.Collections.Concurrent;
using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.IntegrationTests.Failures;

/// <summary>
/// One smoke test of a real broker process stopped and started again while EventProducer and EventConsumer work (the
/// reliability scenarios and their figures belong to the reliability suite, Reliability/KitBrokerFaultTests).
/// </summary>
[Collection(BrokerRestartCollection.Name)]
public sealed class BrokerRestartSmokeTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    private const int Batch = 50;
    private const int Cap = 100_000;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task StopAndStartLeader_DuringPublishAndConsume_NothingLost_DuplicatesCounted()
    {
        broker.Require(BrokerCapabilities.BrokerRestart, "Stopping and starting a broker during publish and consume");
        broker.RequireBrokers(3, "Keeping every partition writable with one broker down");
        var topic = KafkaTestBroker.UniqueTopic("restart");
        var group = "g-" + topic;
        await broker.CreateTopicAsync(topic, 3, 3);
        var options = broker.CreateOptions("restart-svc", ("KAFKA_TOPIC_IN", topic), ("KAFKA_CONSUMER_GROUP", group),
            ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "500"));

        // The broker to stop leads partition 0 of the topic, so the producer and the consumer both lose a leader.
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var victim = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Single(p => p.PartitionId == 0).Leader;

        var seen = new ConcurrentDictionary<int, int>();
        await using var consumer = new EventConsumerBuilder(options)
            .AddHandler<int>("IN", (ctx, _) =>
            {
                seen.AddOrUpdate(ctx.Message, 1, (_, n) => n + 1);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();

        // Publish an acknowledged batch every tick (about 500 a second: the scenario's load, not a synchronisation) for as
        // long as the scenario lasts, so both sides work through the stop and the start; flat out, the two cores this
        // runs on would starve the restarting broker.
        await using var producer = new EventProducer(options);
        var published = 0;
        var restarted = 0;
        using var stopPublishing = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            var afterRestart = -1;
            using var ticks = new PeriodicTimer(Tick);
            while (published < Cap && (afterRestart < 0 || published < afterRestart) && await ticks.WaitForNextTickAsync(stopPublishing.Token))
            {
                var from = published;
                await Task.WhenAll(Enumerable.Range(from, Batch).Select(i => producer.PublishAsync("IN", i, "key-" + (i % 50), cancellationToken: stopPublishing.Token)));
                published = from + Batch;
                if (afterRestart < 0 && Volatile.Read(ref restarted) == 1)
                {
                    afterRestart = published + 1_000;
                }
            }
        }, stopPublishing.Token);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var phases = new List<string>();
        void Phase(string what) => phases.Add($"{what} at {clock.Elapsed.TotalSeconds:0.0} s");
        var stopped = false;
        int atStop, atRestart, seenAtStop, seenAtRestart;
        try
        {
            await Wait.UntilAsync(() => Volatile.Read(ref published) >= 1_000 && seen.Count >= 500, TimeSpan.FromSeconds(60), "publishing and consuming before the stop");
            atStop = Volatile.Read(ref published);
            seenAtStop = seen.Count;
            Phase("stopping");
            await broker.StopBrokerAsync(victim);
            stopped = true;
            Phase("stopped");

            // With the broker down, both sides go on: new leaders for its partitions, a new coordinator if it was one.
            await Wait.UntilAsync(() => Volatile.Read(ref published) >= atStop + 1_000 && seen.Count >= seenAtStop + 1_000, TimeSpan.FromSeconds(90),
                $"progress with broker {victim} down (published {Volatile.Read(ref published)}, seen {seen.Count})");
            Phase("starting");
            await broker.StartBrokerAsync(victim);
            stopped = false;
            Phase("started and in sync");
            atRestart = Volatile.Read(ref published);
            seenAtRestart = seen.Count;
            Volatile.Write(ref restarted, 1);
            await publishing.WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
            Phase("published");
        }
        finally
        {
            await stopPublishing.CancelAsync();
            if (stopped)
            {
                await broker.StartBrokerAsync(victim);
            }
        }

        var total = published;
        await Wait.UntilAsync(() => seen.Count == total, TimeSpan.FromSeconds(120), $"all {total} messages consumed (have {seen.Count})");
        Phase("consumed");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        var onTopic = TopicReader.ReadAll(broker.BootstrapServers, topic, TimeSpan.FromSeconds(60));
        var (committed, end) = TestData.Offsets(broker.BootstrapServers, group, topic);
        var duplicates = seen.Values.Sum() - total;
        output.WriteLine($"broker {victim} (leader of partition 0) stopped after {atStop} published / {seenAtStop} consumed, started again at {atRestart} / {seenAtRestart}; " +
            $"published {total}, on the topic {onTopic.Count}, consumed {seen.Count} distinct with {duplicates} duplicate deliveries; " +
            $"committed/end {TestData.Describe(committed, end)}; {string.Join(", ", phases)}; producer {producer.GetStatistics()}; consumer {consumer.GetStatistics()}");

        Assert.Equal(Enumerable.Range(0, total), seen.Keys.Order());                 // nothing lost
        Assert.Equal(total, onTopic.Count);                                         // the idempotent producer wrote each once
        Assert.InRange(duplicates, 0, options.Consumer.MaxPollRecords + new EventConsumerOptions().CommitBatchSize);
        Assert.Equal(end, committed);
        Assert.Equal(0, producer.GetStatistics().MessagesFailed);
    }
}
