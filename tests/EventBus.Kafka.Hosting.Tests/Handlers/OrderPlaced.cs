namespace EventBus.Kafka.Hosting.Tests.Handlers;

/// <summary>The event the tests publish and consume.</summary>
/// <param name="OrderId">The order.</param>
public sealed record OrderPlaced(string OrderId);
