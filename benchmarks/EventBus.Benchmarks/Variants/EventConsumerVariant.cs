using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Consuming;

namespace EventBus.Benchmarks.Variants;

/// <summary>
/// EventConsumer with a typed handler (deserialized with the same contract as the raw loop): a no-op, or a
/// handler that awaits <c>handlerDelay</c> (the scaling variants). A new group per run; measured from the first
/// handler call to the last, so the group join and the final close are not measured.
/// </summary>
internal sealed class EventConsumerVariant(string name, BenchmarkCluster cluster, string topic, int messages, int maxConcurrency, OrderingMode ordering, TimeSpan handlerDelay) : IVariant
{
    private int _handled;
    private ResourceSnapshot _start;
    private ResourceSnapshot _end;
    private TaskCompletionSource _done = new();

    public string Name { get; } = name;

    public Task WarmUpAsync() => Task.CompletedTask;

    public async Task<Measurement> RunAsync(RunContext run)
    {
        _handled = 0;
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = new EventConsumerBuilder(cluster.Options(topic, BenchmarkCluster.NewGroup("eventconsumer")))
            .Configure(o =>
            {
                o.MaxConcurrency = maxConcurrency;
                o.Ordering = ordering;
            });
        builder = handlerDelay > TimeSpan.Zero
            ? builder.AddHandler<BenchmarkEvent>(Payload.TopicKey, SlowHandlerAsync, BenchmarkJsonContext.Default.BenchmarkEvent)
            : builder.AddHandler<BenchmarkEvent>(Payload.TopicKey, NoOpHandler, BenchmarkJsonContext.Default.BenchmarkEvent);
        await using var consumer = builder.Build();
        ResourceSnapshot.Settle();
        consumer.Start();
        await _done.Task.WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        return _start.Until(_end, Name, run, messages);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task NoOpHandler(EventContext<BenchmarkEvent> context, CancellationToken cancellationToken)
    {
        Count();
        return Task.CompletedTask;
    }

    private async Task SlowHandlerAsync(EventContext<BenchmarkEvent> context, CancellationToken cancellationToken)
    {
        await Task.Delay(handlerDelay, cancellationToken).ConfigureAwait(false);
        Count();
    }

    private void Count()
    {
        var n = Interlocked.Increment(ref _handled);
        if (n == 1)
        {
            _start = ResourceSnapshot.Take();
        }

        if (n == messages)
        {
            _end = ResourceSnapshot.Take();
            _done.TrySetResult();
        }
    }
}
