using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;

namespace EventBus.Benchmarks.EndToEnd;

/// <summary>EventProducer.PublishAsync to an EventConsumer's typed handler (MaxConcurrency 1, its default commits).</summary>
internal sealed class WrapperEndToEndVariant(string name, BenchmarkCluster cluster, EndToEndLoad load) : EndToEndVariant(name, cluster, load)
{
    private EventProducer? _producer;
    private EventConsumer? _consumer;

    public override async ValueTask DisposeAsync()
    {
        if (_consumer is not null)
        {
            await _consumer.DisposeAsync().ConfigureAwait(false);
        }

        if (_producer is not null)
        {
            await _producer.DisposeAsync().ConfigureAwait(false);
        }
    }

    protected override void Start(EventBusOptions options, string topic)
    {
        _producer = new EventProducer(options);
        _consumer = new EventConsumerBuilder(options)
            .AddHandler(Payload.TopicKey, Handle, LatencyJsonContext.Default.LatencyEvent)
            .Build();
        _consumer.Start();
    }

    protected override async Task<object?> PublishAsync(LatencyEvent message, string key) =>
        await _producer!.PublishAsync(Payload.TopicKey, message, LatencyJsonContext.Default.LatencyEvent, key).ConfigureAwait(false);

    private Task Handle(EventContext<LatencyEvent> context, CancellationToken cancellationToken)
    {
        OnHandled(context.Message);
        return Task.CompletedTask;
    }
}
