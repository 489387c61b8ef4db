using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Tests.Consuming;

/// <summary>Builds the consumer's parts for unit tests, without a consumer around them.</summary>
internal static class ConsumerParts
{
    public static PartitionState Partition(int partition, int lanes = 1, string topic = "in") =>
        new(new TopicPartition(topic, partition), Route(topic), lanes);

    public static SingleRoute<string> Route(string topic, Func<EventContext<string>, Task>? handle = null) =>
        new(topic, (ctx, _) => handle?.Invoke(ctx) ?? Task.CompletedTask, JsonEventSerializer.CreateDefault(), null);

    public static OffsetCommitter Committer(FakeConsumer fake, EventConsumerOptions? options = null, TimeProvider? time = null, ConsumerCounters? counters = null)
    {
        var committer = new OffsetCommitter(options ?? new EventConsumerOptions(), counters ?? new ConsumerCounters(), NullLogger.Instance, time);
        committer.Bind(offsets => fake.Commit(offsets));
        return committer;
    }

    /// <summary>Dispatches offsets <paramref name="from"/>.. to the partition's tracker, as the dispatcher does.</summary>
    public static void Dispatched(PartitionState state, long from, int count)
    {
        for (var offset = from; offset < from + count; offset++)
        {
            state.Tracker.Add(offset);
            state.Dispatched++;
        }
    }
}
