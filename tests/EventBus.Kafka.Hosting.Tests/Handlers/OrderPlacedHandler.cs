using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Hosting.Tests.Handlers;

/// <summary>A class handler with a scoped dependency, as a service team writes it.</summary>
public sealed class OrderPlacedHandler(ScopedProbe probe, Recorder recorder) : IEventHandler<OrderPlaced>
{
    public async Task HandleAsync(EventContext<OrderPlaced> context, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(probe.Disposed, probe);
        var seen = new Handled(context.Partition, context.Offset, context.Message.OrderId, probe, this);
        recorder.Started.Enqueue(seen);
        if (recorder.Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        recorder.Handled.Enqueue(seen);
    }
}
