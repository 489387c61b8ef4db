using System.Collections.Concurrent;
using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Consuming;

/// <summary>
/// Assigned partitions whose committed offsets could not be read: librdkafka leaves them assigned but unfetched until
/// the application assigns them again (librdkafka #5586; the Kafka kit soak's stall after all brokers went down).
/// Without the consumer's fetch-start watchdog these records are never handled.
/// </summary>
public sealed class FetchStartTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ErrorCode.NotCoordinatorForGroup)]
    [InlineData(ErrorCode.GroupCoordinatorNotAvailable)]
    public async Task CommittedOffsetsNotRead_PartitionsAssignedAgain_EveryRecordHandledOnce(ErrorCode refusal)
    {
        await using var cluster = new MockKafkaCluster(1);
        var topic = KafkaTestBroker.UniqueTopic("offsetfetch-refused");
        cluster.CreateTopic(topic, 2, 1);
        cluster.CreateTopic(topic + "-dlq", 1, 1);
        TestData.Produce(cluster.BootstrapServers, topic, 0, 20);
        var group = "g-" + topic;
        var handled = new ConcurrentDictionary<(int, long), int>();
        var logs = new CapturingLoggerFactory();

        // The first OffsetFetch of the member (for both partitions) is refused, as a stale coordinator refuses it.
        cluster.PushRequestErrors(KafkaApiKey.OffsetFetch, refusal);
        var options = KafkaTestBroker.CreateOptions(cluster.BootstrapServers, "itest", [("KAFKA_TOPIC_IN", topic), ("KAFKA_CONSUMER_GROUP", group), ("KAFKA_TOPIC_DLQ", topic + "-dlq")]);
        await using var consumer = new EventConsumerBuilder(options)
            .WithLoggerFactory(logs)
            .AddHandler<int>("IN", (ctx, _) =>
            {
                handled.AddOrUpdate((ctx.Partition, ctx.Offset), 1, (_, n) => n + 1);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => handled.Count == 20, TimeSpan.FromSeconds(30), "all 20 records handled");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        var statistics = consumer.GetStatistics();
        output.WriteLine(statistics.ToString());
        logs.WithEvent("PartitionsFetchRestartedAfterError").ToList().ForEach(l => output.WriteLine(l.ToString()));
        Assert.All(handled.Values, n => Assert.Equal(1, n));
        Assert.InRange(statistics.FetchRestarts, 2, 4); // both partitions, once (twice if the errors straddled a check)
        Assert.Contains(logs.WithEvent("PartitionsFetchRestartedAfterError"), l => l.Message.Contains($"{topic}[0]", StringComparison.Ordinal) && l.Message.Contains($"{topic}[1]", StringComparison.Ordinal));
        var committed = TestData.Offsets(cluster.BootstrapServers, group, topic).Committed;
        Assert.Equal(20, committed.Values.Sum());
    }
}
