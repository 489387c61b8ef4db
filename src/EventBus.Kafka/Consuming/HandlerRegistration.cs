using EventBus.Kafka.Serialization;

namespace EventBus.Kafka.Consuming;

/// <summary>A handler as added to <see cref="EventConsumerBuilder"/>: by key or by topic name; its route is created when the consumer is built.</summary>
/// <param name="TopicKey">The topic key, or <see langword="null"/> when the handler names its topic.</param>
/// <param name="TopicName">The topic name, or <see langword="null"/> when the handler gives a key.</param>
/// <param name="Description">The method and type that added it, e.g. <c>AddHandler&lt;OrderPlaced&gt;</c>, for problems.</param>
/// <param name="Create">Creates the route, given the resolved topic and the serializer.</param>
internal sealed record HandlerRegistration(string? TopicKey, string? TopicName, string Description, Func<string, IEventSerializer, ConsumerRoute> Create)
{
    /// <summary>Describes the handler for a problem's message.</summary>
    /// <returns>E.g. <c>AddHandler&lt;OrderPlaced&gt;("ORDERS")</c>.</returns>
    public string Describe() => TopicKey is { } key ? $"{Description}(\"{key}\")" : $"{Description}(\"{TopicName}\")";
}
