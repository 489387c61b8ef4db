using Confluent.Kafka;
using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;

namespace EventBus.Benchmarks.Variants;

/// <summary>The raw client's Task API with the four standard headers: the closest raw counterpart of PublishAsync.</summary>
internal sealed class RawProduceAsyncVariant(EventBusOptions options, string topic, int messages, int window) : IVariant
{
    private readonly IProducer<string, byte[]> _producer = new ProducerBuilder<string, byte[]>(RawProducerConfig.Create(options)).Build();
    private readonly StandardHeaders _headers = new(options.Connection.ServiceName!);

    public string Name => VariantNames.RawProduceAsync;

    public Task WarmUpAsync() => _producer.ProduceAsync(topic, new Message<string, byte[]> { Key = "warm-up", Value = Payload.Serialize(0), Headers = _headers.Create() });

    public async Task<Measurement> RunAsync(RunContext run)
    {
        var inFlight = new TaskWindow<DeliveryResult<string, byte[]>>(window);
        ResourceSnapshot.Settle();
        var start = ResourceSnapshot.Take();
        for (var i = 0; i < messages; i++)
        {
            await inFlight.MakeRoomAsync().ConfigureAwait(false);
            inFlight.Add(_producer.ProduceAsync(topic, new Message<string, byte[]> { Key = Payload.Key(i), Value = Payload.Serialize(i), Headers = _headers.Create() }));
        }

        await inFlight.DrainAsync().ConfigureAwait(false);
        var end = ResourceSnapshot.Take();
        return start.Until(end, Name, run, messages, inFlight.Waits);
    }

    public ValueTask DisposeAsync()
    {
        _producer.Dispose();
        return ValueTask.CompletedTask;
    }
}
