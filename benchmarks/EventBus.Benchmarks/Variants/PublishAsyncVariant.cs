using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;

namespace EventBus.Benchmarks.Variants;

/// <summary>EventProducer.PublishAsync as a service calls it: the event and its key, at most <c>window</c> in flight.</summary>
internal sealed class PublishAsyncVariant(EventBusOptions options, int messages, int window) : IVariant
{
    private readonly EventProducer _producer = new(options);

    public string Name => VariantNames.PublishAsync;

    public Task WarmUpAsync() => _producer.PublishAsync(Payload.TopicKey, Payload.Event(0), BenchmarkJsonContext.Default.BenchmarkEvent, "warm-up");

    public async Task<Measurement> RunAsync(RunContext run)
    {
        var inFlight = new TaskWindow<PublishResult>(window);
        ResourceSnapshot.Settle();
        var start = ResourceSnapshot.Take();
        for (var i = 0; i < messages; i++)
        {
            await inFlight.MakeRoomAsync().ConfigureAwait(false);
            inFlight.Add(_producer.PublishAsync(Payload.TopicKey, Payload.Event(i), BenchmarkJsonContext.Default.BenchmarkEvent, Payload.Key(i)));
        }

        await inFlight.DrainAsync().ConfigureAwait(false);
        var end = ResourceSnapshot.Take();
        return start.Until(end, Name, run, messages, inFlight.Waits);
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
