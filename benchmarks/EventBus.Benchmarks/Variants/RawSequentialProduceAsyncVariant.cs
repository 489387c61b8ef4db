using System.Diagnostics;
using Confluent.Kafka;
using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;

namespace EventBus.Benchmarks.Variants;

/// <summary>
/// The latency baseline of the synchronous Publish: the raw client awaiting each ProduceAsync before the next,
/// with linger.ms 0 (a sequential caller cannot fill a batch, so a raw user would not linger) and the same headers.
/// </summary>
internal sealed class RawSequentialProduceAsyncVariant(EventBusOptions options, string topic, int messages) : IVariant
{
    private readonly IProducer<string, byte[]> _producer = new ProducerBuilder<string, byte[]>(RawProducerConfig.Create(options, lingerMs: 0)).Build();
    private readonly StandardHeaders _headers = new(options.Connection.ServiceName!);

    public string Name => VariantNames.RawSequential;

    public Task WarmUpAsync() => _producer.ProduceAsync(topic, new Message<string, byte[]> { Key = "warm-up", Value = Payload.Serialize(0), Headers = _headers.Create() });

    public async Task<Measurement> RunAsync(RunContext run)
    {
        var latencies = new Latencies(messages);
        ResourceSnapshot.Settle();
        var start = ResourceSnapshot.Take();
        for (var i = 0; i < messages; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            _ = await _producer.ProduceAsync(topic, new Message<string, byte[]> { Key = Payload.Key(i), Value = Payload.Serialize(i), Headers = _headers.Create() }).ConfigureAwait(false);
            latencies.Record(i, sent);
        }

        var end = ResourceSnapshot.Take();
        var (p50, p99) = latencies.Percentiles();
        return start.Until(end, Name, run, messages, p50Ms: p50, p99Ms: p99);
    }

    public ValueTask DisposeAsync()
    {
        _producer.Dispose();
        return ValueTask.CompletedTask;
    }
}
