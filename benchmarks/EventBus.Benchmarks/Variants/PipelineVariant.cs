using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;

namespace EventBus.Benchmarks.Variants;

/// <summary>
/// A consume → publish pipeline: EventConsumer (MaxConcurrency 4, key order) reads the consume topic from the start
/// and publishes each record, as it came, to an output topic. At-least-once publishes through an
/// <see cref="EventProducer"/> (awaiting the acknowledgement); exactly-once through <see cref="EventContext{T}.Producer"/>,
/// into the transaction of the commit cycle (default 100 ms). A read_committed reader of the output measures end to end:
/// from the handler's call to the output being readable, per message (p50, p99), and msg/s from the first handler call
/// to the last output read. A new group per run; the output topic's reader starts at its end.
/// </summary>
internal sealed class PipelineVariant(string name, BenchmarkCluster cluster, string inputTopic, int messages, bool exactlyOnce) : IVariant
{
    private const string StampHeader = "bench-handled-at";
    private string? _outputTopic;
    private EventProducer? _producer;

    public string Name { get; } = name;

    public async Task WarmUpAsync()
    {
        _outputTopic = await cluster.CreateTopicAsync(exactlyOnce ? "pipeline-eos" : "pipeline-alo").ConfigureAwait(false);
        if (!exactlyOnce)
        {
            _producer = new EventProducer(cluster.Options(inputTopic));
            await _producer.PublishToTopicAsync(_outputTopic, "warm-up").ConfigureAwait(false);
        }
    }

    public async Task<Measurement> RunAsync(RunContext run)
    {
        var latencies = new Latencies(messages);
        var seen = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        ResourceSnapshot start = default;
        using var stopReading = new CancellationTokenSource();
        var reader = StartReader(latencies, () =>
        {
            if (Interlocked.Increment(ref seen) == messages)
            {
                done.TrySetResult();
            }
        }, stopReading.Token);

        var builder = new EventConsumerBuilder(cluster.Options(inputTopic, BenchmarkCluster.NewGroup(exactlyOnce ? "eos" : "alo")))
            .Configure(o =>
            {
                o.MaxConcurrency = 4;
                o.Ordering = OrderingMode.Key;
                o.ExactlyOnce = exactlyOnce;
            })
            .AddHandler<byte[]>(Payload.TopicKey, async (ctx, ct) =>
            {
                if (Interlocked.Exchange(ref started, 1) == 0)
                {
                    start = ResourceSnapshot.Take();
                }

                var headers = new[] { new KeyValuePair<string, string>(StampHeader, Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture)) };
                var producer = exactlyOnce ? ctx.Producer : _producer!;
                await producer.PublishToTopicAsync(_outputTopic!, ctx.Message, ctx.Key, headers, ct).ConfigureAwait(false);
            });
        await using (var consumer = builder.Build())
        {
            ResourceSnapshot.Settle();
            consumer.Start();
            await done.Task.WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        }

        var end = ResourceSnapshot.Take();
        await stopReading.CancelAsync().ConfigureAwait(false);
        await reader.ConfigureAwait(false);
        var (p50, p99) = latencies.Percentiles();
        return start.Until(end, Name, run, messages, p50Ms: p50, p99Ms: p99);
    }

    public async ValueTask DisposeAsync()
    {
        if (_producer is not null)
        {
            await _producer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads the output topic read_committed from its current end; records each message's end-to-end latency.</summary>
    private Task StartReader(Latencies latencies, Action counted, CancellationToken token)
    {
        var config = KafkaClientConfigFactory.CreateConsumerConfig(cluster.Options(_outputTopic!, BenchmarkCluster.NewGroup("reader")));
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        config.FetchWaitMaxMs = 5;
        var consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        var partitions = Enumerable.Range(0, BenchmarkCluster.Partitions).Select(p => new TopicPartition(_outputTopic!, p)).ToList();
        consumer.Assign(partitions.Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(30)).High)));
        return Task.Factory.StartNew(() =>
        {
            var i = 0;
            try
            {
                while (!token.IsCancellationRequested)
                {
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(50));
                    if (result?.Message?.Headers is { } headers && headers.TryGetLastBytes(StampHeader, out var stamp) && i < messages)
                    {
                        latencies.Record(i++, long.Parse(Encoding.ASCII.GetString(stamp), CultureInfo.InvariantCulture));
                        counted();
                    }
                }
            }
            finally
            {
                consumer.Dispose();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }
}
