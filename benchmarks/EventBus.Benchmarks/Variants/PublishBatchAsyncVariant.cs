using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;

namespace EventBus.Benchmarks.Variants;

/// <summary>
/// EventProducer.PublishBatchAsync in batches of <c>batchSize</c>, as many batches in flight as fit the same window
/// (a batch completes with its slowest message, so one batch at a time would measure linger.ms, not the library).
/// Building the batch's <see cref="EventMessage{T}"/> list is the caller's part of the API and is measured.
/// </summary>
internal sealed class PublishBatchAsyncVariant(EventBusOptions options, int messages, int window, int batchSize) : IVariant
{
    private readonly EventProducer _producer = new(options);

    public string Name => VariantNames.PublishBatchAsync;

    public Task WarmUpAsync() => _producer.PublishBatchAsync(Payload.TopicKey, [new EventMessage<BenchmarkEvent>(Payload.Event(0), "warm-up")], BenchmarkJsonContext.Default.BenchmarkEvent);

    public async Task<Measurement> RunAsync(RunContext run)
    {
        var inFlight = new TaskWindow<PublishBatchResult>(Math.Max(1, window / batchSize), result => result.AllSucceeded);
        ResourceSnapshot.Settle();
        var start = ResourceSnapshot.Take();
        for (var first = 0; first < messages; first += batchSize)
        {
            var count = Math.Min(batchSize, messages - first);
            var batch = new List<EventMessage<BenchmarkEvent>>(count);
            for (var i = first; i < first + count; i++)
            {
                batch.Add(new EventMessage<BenchmarkEvent>(Payload.Event(i), Payload.Key(i)));
            }

            await inFlight.MakeRoomAsync().ConfigureAwait(false);
            inFlight.Add(_producer.PublishBatchAsync(Payload.TopicKey, batch, BenchmarkJsonContext.Default.BenchmarkEvent));
        }

        await inFlight.DrainAsync().ConfigureAwait(false);
        var end = ResourceSnapshot.Take();
        Check.That(inFlight.Failures == 0, $"{Name}: {inFlight.Failures} batches had failed messages");
        return start.Until(end, Name, run, messages, inFlight.Waits);
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
