namespace EventBus.Kafka.Hosting.Consumers;

/// <summary>
/// Everything the service registered with <c>AddEventBus</c>: the topic keys it publishes to and its consumers. The
/// validation reads it to require what is used (the consumer group when a consumer exists, every topic key named).
/// </summary>
internal sealed class EventBusRegistrations
{
    /// <summary>Gets the topic keys the service declared it publishes to.</summary>
    public List<string> PublishedTopicKeys { get; } = [];

    /// <summary>Gets the consumers, in the order they were added.</summary>
    public List<ConsumerRegistration> Consumers { get; } = [];
}
