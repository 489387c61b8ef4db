using EventBus.Benchmarks.EndToEnd;
using EventBus.Benchmarks.Harness;
using EventBus.Kafka.Consuming;
using static EventBus.Benchmarks.Variants.VariantNames;

namespace EventBus.Benchmarks.Variants;

/// <summary>
/// Every variant, in groups that run together (a wrapper call, its baselines, its listener twin), in the order of
/// round 0. The wrapper's PublishAsync runs first in round 0, where a process's cold start (JIT, heap growth,
/// thread pool) falls on it: the issue saw it lose most there, and the first round must show that, not hide it.
/// </summary>
internal static class VariantSet
{
    /// <summary>The most records a pipeline run handles: the first 20,000 of the consume topic (the at-least-once variant awaits each publish, about 1,000 a second).</summary>
    public const int PipelineMessages = 20_000;

    /// <summary>The groups, by the names <c>--only</c> takes, in the order of round 0.</summary>
    public static IReadOnlyList<string> GroupNames { get; } = ["publish", "latency", "consume", "scaling", "e2e", "pipeline"];

    /// <summary>Whether the selected groups read the consume topic (which then has to be filled).</summary>
    public static bool NeedsConsumeTopic(BenchmarkOptions options) => options.Groups.Contains("consume") || options.Groups.Contains("scaling") || options.Groups.Contains("pipeline");

    public static IReadOnlyList<IReadOnlyList<IVariant>> Create(BenchmarkCluster cluster, string produceTopic, string? consumeTopic, int consumeMessages, BenchmarkOptions options)
    {
        var producerOptions = cluster.Options(produceTopic);
        var n = options.Messages;
        var window = options.Window;
        var telemetry = options.Telemetry;
        var groups = new List<IReadOnlyList<IVariant>>();

        if (options.Groups.Contains("publish"))
        {
            var publishAsync = new PublishAsyncVariant(producerOptions, n, window);
            var publishBatch = new PublishBatchAsyncVariant(producerOptions, n, window, options.BatchSize);
            groups.Add(Group(
                publishAsync,
                new RawProduceVariant(RawSameJob, producerOptions, produceTopic, n, window, withHeaders: true),
                telemetry ? new WithListeners(publishAsync) : null,
                telemetry ? new WithListeners(new RawProduceVariant(RawSameJobSpans, producerOptions, produceTopic, n, window, withHeaders: true, withSpans: true), ownsInner: true) : null,
                publishBatch,
                telemetry ? new WithListeners(publishBatch) : null,
                new RawProduceAsyncVariant(producerOptions, produceTopic, n, window),
                new RawProduceVariant(RawNoHeaders, producerOptions, produceTopic, n, window, withHeaders: false)));
        }

        if (options.Groups.Contains("latency"))
        {
            var publish = new SyncPublishVariant(producerOptions, options.SequentialMessages);
            groups.Add(Group(
                publish,
                new RawSequentialProduceAsyncVariant(producerOptions, produceTopic, options.SequentialMessages),
                telemetry ? new WithListeners(publish) : null));
        }

        if (options.Groups.Contains("consume"))
        {
            var consumerNoOp = new EventConsumerVariant(ConsumerNoOp1, cluster, consumeTopic!, consumeMessages, 1, OrderingMode.Partition, TimeSpan.Zero);
            groups.Add(Group(
                consumerNoOp,
                new RawConsumeLoopVariant(cluster, consumeTopic!, consumeMessages),
                telemetry ? new WithListeners(consumerNoOp) : null,
                telemetry ? new WithListeners(new RawConsumeLoopVariant(cluster, consumeTopic!, consumeMessages, withSpans: true), ownsInner: true) : null,
                new EventConsumerVariant(ConsumerNoOp4, cluster, consumeTopic!, consumeMessages, 4, OrderingMode.Partition, TimeSpan.Zero)));
        }

        if (options.Groups.Contains("scaling"))
        {
            groups.Add(Group([.. new[] { 1, 4, 16 }.Select(c =>
                new EventConsumerVariant(SlowHandler(c), cluster, consumeTopic!, options.HandlerMessages, c, OrderingMode.Key, TimeSpan.FromMilliseconds(1)))]));
        }

        if (options.Groups.Contains("e2e"))
        {
            var rate = EndToEndLoad.FixedRate(options.Quick);
            var saturation = EndToEndLoad.Saturation(options.Quick);
            groups.Add(Group(new WrapperEndToEndVariant(EndToEndNames.WrapperFixedRate, cluster, rate), new RawEndToEndVariant(EndToEndNames.RawFixedRate, cluster, rate)));
            groups.Add(Group(new WrapperEndToEndVariant(EndToEndNames.WrapperSaturation, cluster, saturation), new RawEndToEndVariant(EndToEndNames.RawSaturation, cluster, saturation)));
        }

        if (options.Groups.Contains("pipeline"))
        {
            // At-least-once against exactly-once on the same consume → publish job; end to end read back read_committed.
            // The first PipelineMessages records: the output topic must stay within what the mock cluster keeps (5 MB a
            // partition), or records its reader has not reached yet are dropped and the run never sees them all.
            var pipelineMessages = Math.Min(consumeMessages, PipelineMessages);
            groups.Add(Group(
                new PipelineVariant(PipelineAtLeastOnce, cluster, consumeTopic!, pipelineMessages, exactlyOnce: false),
                new PipelineVariant(PipelineExactlyOnce, cluster, consumeTopic!, pipelineMessages, exactlyOnce: true)));
        }

        return groups;
    }

    private static IReadOnlyList<IVariant> Group(params IVariant?[] variants) => [.. variants.OfType<IVariant>()];
}
