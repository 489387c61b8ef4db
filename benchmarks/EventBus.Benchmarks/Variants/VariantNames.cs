namespace EventBus.Benchmarks.Variants;

/// <summary>The variants' names: the tables, the JSON file and the ratios all use these.</summary>
internal static class VariantNames
{
    public const string RawNoHeaders = "raw Produce + callback, no headers";
    public const string RawSameJob = "raw Produce + callback, same 4 headers (the same job)";
    public const string RawSameJobSpans = "raw Produce + callback, same job, a send span per message by hand";
    public const string RawProduceAsync = "raw ProduceAsync, same 4 headers";
    public const string PublishAsync = "EventProducer.PublishAsync";
    public const string PublishBatchAsync = "EventProducer.PublishBatchAsync";
    public const string RawSequential = "raw ProduceAsync one at a time, linger 0";
    public const string Publish = "EventProducer.Publish (synchronous), one at a time";
    public const string RawConsume = "raw Consume loop, sync commit every 1,000";
    public const string RawConsumeSpans = "raw Consume loop, a process span per record by hand";
    public const string ConsumerNoOp1 = "EventConsumer no-op, MaxConcurrency 1";
    public const string ConsumerNoOp4 = "EventConsumer no-op, MaxConcurrency 4";

    public const string PipelineAtLeastOnce = "pipeline consume → publish, at-least-once (EventProducer)";
    public const string PipelineExactlyOnce = "pipeline consume → publish, exactly-once (transactions, 100 ms cycle)";

    public static string SlowHandler(int concurrency) => $"EventConsumer 1 ms handler, MaxConcurrency {concurrency}";

    public static string WithListeners(string variant) => variant + " + listeners";
}
