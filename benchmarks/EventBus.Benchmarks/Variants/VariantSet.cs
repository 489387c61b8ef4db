using EventBus.Benchmarks.Harness;
using EventBus.Kafka.Consuming;
using static EventBus.Benchmarks.Variants.VariantNames;

namespace EventBus.Benchmarks.Variants;

/// <summary>
/// Every variant, in the order of round 0. The wrapper's PublishAsync runs first in round 0, where a process's
/// cold start (JIT, heap growth) falls on it: the issue saw it lose most there, and the first round must show that,
/// not hide it. Each wrapper variant sits next to its baseline and its listener twin, so pairs run close together.
/// </summary>
internal static class VariantSet
{
    public static IReadOnlyList<IVariant> Create(BenchmarkCluster cluster, string produceTopic, string consumeTopic, int consumeMessages, BenchmarkOptions options)
    {
        var producerOptions = cluster.Options(produceTopic);
        var n = options.Messages;
        var window = options.Window;

        var publishAsync = new PublishAsyncVariant(producerOptions, n, window);
        var publishBatch = new PublishBatchAsyncVariant(producerOptions, n, window, options.BatchSize);
        var publish = new SyncPublishVariant(producerOptions, options.SequentialMessages);
        var consumerNoOp = new EventConsumerVariant(ConsumerNoOp1, cluster, consumeTopic, consumeMessages, 1, OrderingMode.Partition, TimeSpan.Zero);

        var variants = new List<IVariant>
        {
            publishAsync,
            new RawProduceVariant(RawSameJob, producerOptions, produceTopic, n, window, withHeaders: true),
            publishBatch,
            new RawProduceAsyncVariant(producerOptions, produceTopic, n, window),
            new RawProduceVariant(RawNoHeaders, producerOptions, produceTopic, n, window, withHeaders: false),
            publish,
            new RawSequentialProduceAsyncVariant(producerOptions, produceTopic, options.SequentialMessages),
            consumerNoOp,
            new RawConsumeLoopVariant(cluster, consumeTopic, consumeMessages),
            new EventConsumerVariant(ConsumerNoOp4, cluster, consumeTopic, consumeMessages, 4, OrderingMode.Partition, TimeSpan.Zero),
        };

        foreach (var concurrency in new[] { 1, 4, 16 })
        {
            variants.Add(new EventConsumerVariant(SlowHandler(concurrency), cluster, consumeTopic, options.HandlerMessages, concurrency, OrderingMode.Key, TimeSpan.FromMilliseconds(1)));
        }

        if (options.Telemetry)
        {
            variants.Insert(variants.IndexOf(publishAsync) + 2, new WithListeners(publishAsync));
            variants.Insert(variants.IndexOf(publishBatch) + 1, new WithListeners(publishBatch));
            variants.Insert(variants.IndexOf(publish) + 2, new WithListeners(publish));
            variants.Insert(variants.IndexOf(consumerNoOp) + 2, new WithListeners(consumerNoOp));
        }

        return variants;
    }
}
