using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Hosting.Consumers;

/// <summary>
/// One handler of a hosted consumer, kept until the host starts: then the options are known and valid, and
/// <see cref="Apply"/> adds it to the core <see cref="EventConsumerBuilder"/>.
/// </summary>
/// <param name="TopicKey">The topic key (<c>KAFKA_TOPIC_{KEY}</c>), or <see langword="null"/> for a topic given by name.</param>
/// <param name="TopicName">The topic name, when given by name rather than by key.</param>
/// <param name="Handler">What handles it, for messages: a handler type's name, or "a delegate".</param>
/// <param name="Apply">Adds the handler to the builder; the service provider is the application's root provider.</param>
internal sealed record HandlerRoute(string? TopicKey, string? TopicName, string Handler, Action<EventConsumerBuilder, IServiceProvider> Apply);
