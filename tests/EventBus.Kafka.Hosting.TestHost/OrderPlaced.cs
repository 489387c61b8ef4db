namespace EventBus.Kafka.Hosting.TestHost;

/// <summary>The event the test host consumes.</summary>
/// <param name="OrderId">The order.</param>
public sealed record OrderPlaced(string OrderId);
