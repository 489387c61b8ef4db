using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Hosting.TestHost;

/// <summary>Handles <see cref="OrderPlaced"/> as <see cref="TestHostMode"/> says.</summary>
public sealed class OrderPlacedHandler(TestHostMode mode, EventProducer producer) : IEventHandler<OrderPlaced>
{
    /// <inheritdoc />
    public async Task HandleAsync(EventContext<OrderPlaced> context, CancellationToken cancellationToken)
    {
        if (mode.Name == "dead-letter-disposed")
        {
            // The consumer dead-letters through this producer: with it gone, the failure cannot be handled.
            await producer.DisposeAsync();
            throw new InvalidOperationException($"order {context.Message.OrderId} cannot be handled");
        }

        Console.WriteLine($"handled {context.Partition}@{context.Offset}");
    }
}
