using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Hosting.Tests.Handlers;

/// <summary>A batch handler class with a scoped dependency.</summary>
public sealed class OrderBatchHandler(ScopedProbe probe, Recorder recorder) : IEventBatchHandler<OrderPlaced>
{
    public Task HandleAsync(IReadOnlyList<EventContext<OrderPlaced>> batch, CancellationToken cancellationToken)
    {
        foreach (var context in batch)
        {
            recorder.Handled.Enqueue(new Handled(context.Partition, context.Offset, context.Message.OrderId, probe, this));
        }

        return Task.CompletedTask;
    }
}
