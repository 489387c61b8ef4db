using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;

namespace EventBus.Benchmarks.Variants;

/// <summary>
/// The consumer baseline: EventConsumer's configuration (manual commits, cooperative-sticky), keys and values as
/// bytes as EventConsumer reads them, the value deserialized with the same contract, the next offset kept per
/// partition in an array (no allocation per message) and committed synchronously every 1,000 messages
/// (EventConsumer's default batch) and once at the end. Measured from the first message to the last commit; the
/// group join is not measured. With <c>withSpans</c> it also gives every record a process span and the consume
/// metrics by hand (<see cref="HandMadeProcessTelemetry"/>), whenever something listens: what a span per record
/// costs any consumer.
/// </summary>
internal sealed class RawConsumeLoopVariant(BenchmarkCluster cluster, string topic, int messages, bool withSpans = false) : IVariant
{
    private const int CommitEvery = 1_000;

    public string Name => withSpans ? VariantNames.RawConsumeSpans : VariantNames.RawConsume;

    public Task WarmUpAsync() => Task.CompletedTask;

    public Task<Measurement> RunAsync(RunContext run)
    {
        var group = BenchmarkCluster.NewGroup("raw");
        var config = KafkaClientConfigFactory.CreateConsumerConfig(cluster.Options(topic, group));
        using var telemetry = withSpans ? new HandMadeProcessTelemetry(topic, group) : null;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        var next = new long[BenchmarkCluster.Partitions];
        ResourceSnapshot.Settle();
        consumer.Subscribe(topic);
        var start = default(ResourceSnapshot);
        var received = 0;
        var deadline = Stopwatch.StartNew();
        while (received < messages)
        {
            Check.That(deadline.Elapsed < TimeSpan.FromMinutes(5), $"{Name}: only {received:N0} of {messages:N0} messages in 5 minutes");
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is null)
            {
                continue;
            }

            if (received == 0)
            {
                start = ResourceSnapshot.Take();
            }

            if (telemetry is null)
            {
                _ = JsonSerializer.Deserialize(result.Message.Value, BenchmarkJsonContext.Default.BenchmarkEvent);
            }
            else
            {
                var started = Stopwatch.GetTimestamp();
                var span = telemetry.Start(result);
                _ = JsonSerializer.Deserialize(result.Message.Value, BenchmarkJsonContext.Default.BenchmarkEvent);
                telemetry.Stop(span, result.Partition, started);
            }

            next[result.Partition.Value] = result.Offset.Value + 1;
            if (++received % CommitEvery == 0)
            {
                consumer.Commit(Offsets(next));
            }
        }

        consumer.Commit(Offsets(next));
        var end = ResourceSnapshot.Take();
        consumer.Close();
        return Task.FromResult(start.Until(end, Name, run, messages));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private List<TopicPartitionOffset> Offsets(long[] next)
    {
        var offsets = new List<TopicPartitionOffset>(next.Length);
        for (var p = 0; p < next.Length; p++)
        {
            if (next[p] > 0)
            {
                offsets.Add(new TopicPartitionOffset(topic, p, next[p]));
            }
        }

        return offsets;
    }
}
