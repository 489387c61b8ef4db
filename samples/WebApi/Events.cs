namespace WebApi;

/// <summary>The request body of <c>POST /orders</c>.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Amount">Its amount.</param>
public sealed record PlaceOrder(string OrderId, decimal Amount);

/// <summary>The event published to <c>KAFKA_TOPIC_ORDERS</c>.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Amount">Its amount.</param>
public sealed record OrderPlaced(string OrderId, decimal Amount);
