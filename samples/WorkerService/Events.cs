namespace WorkerService;

/// <summary>An order was placed (consumed from <c>KAFKA_TOPIC_ORDERS</c>).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Amount">Its amount.</param>
public sealed record OrderPlaced(string OrderId, decimal Amount);

/// <summary>An order was confirmed (published to <c>KAFKA_TOPIC_ORDER_CONFIRMED</c>).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ConfirmedBy">The service instance that confirmed it.</param>
public sealed record OrderConfirmed(string OrderId, string ConfirmedBy);
