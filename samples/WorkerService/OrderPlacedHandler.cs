using EventBus.Kafka.Consuming;
using EventBus.Kafka.Hosting;
using EventBus.Kafka.Producing;

namespace WorkerService;

/// <summary>Handles one order: saves it through the scoped <see cref="OrderBook"/>, then publishes the confirmation.</summary>
public sealed partial class OrderPlacedHandler(OrderBook book, IEventProducer producer, ILogger<OrderPlacedHandler> logger) : IEventHandler<OrderPlaced>
{
    /// <inheritdoc />
    public async Task HandleAsync(EventContext<OrderPlaced> context, CancellationToken cancellationToken)
    {
        await book.SaveAsync(context.Message, cancellationToken);
        await producer.PublishAsync("ORDER_CONFIRMED", new OrderConfirmed(context.Message.OrderId, Environment.MachineName), context.Key, cancellationToken: cancellationToken);
        Handled(logger, context.Message.OrderId, context.Topic, context.Partition, context.Offset, book.ScopeId);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Order {OrderId} confirmed ({Topic}[{Partition}]@{Offset}, scope {ScopeId})")]
    private static partial void Handled(ILogger logger, string orderId, string topic, int partition, long offset, Guid scopeId);
}
