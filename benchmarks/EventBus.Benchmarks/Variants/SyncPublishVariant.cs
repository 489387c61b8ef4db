using System.Diagnostics;
using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;

namespace EventBus.Benchmarks.Variants;

/// <summary>The synchronous EventProducer.Publish, one message at a time, with the producer's usual configuration.</summary>
internal sealed class SyncPublishVariant(EventBusOptions options, int messages) : IVariant
{
    private readonly EventProducer _producer = new(options);

    public string Name => VariantNames.Publish;

    public Task WarmUpAsync()
    {
        _ = _producer.Publish(Payload.TopicKey, Payload.Event(0), BenchmarkJsonContext.Default.BenchmarkEvent, "warm-up");
        return Task.CompletedTask;
    }

    public Task<Measurement> RunAsync(RunContext run)
    {
        var latencies = new Latencies(messages);
        ResourceSnapshot.Settle();
        var start = ResourceSnapshot.Take();
        for (var i = 0; i < messages; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            _ = _producer.Publish(Payload.TopicKey, Payload.Event(i), BenchmarkJsonContext.Default.BenchmarkEvent, Payload.Key(i));
            latencies.Record(i, sent);
        }

        var end = ResourceSnapshot.Take();
        var (p50, p99) = latencies.Percentiles();
        return Task.FromResult(start.Until(end, Name, run, messages, p50Ms: p50, p99Ms: p99));
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
