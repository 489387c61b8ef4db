using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Hosting.Consumers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EventBus.Kafka.Hosting;

/// <summary>
/// Configures one hosted consumer (<see cref="EventBusBuilder.AddConsumer"/>): its handlers, one per topic, and its
/// processing options. Nothing is resolved or connected here: the consumer is built when the host starts, after the
/// configuration was validated and the topics provisioned.
/// </summary>
/// <remarks>
/// Class handlers (<see cref="IEventHandler{T}"/>, <see cref="IEventBatchHandler{T}"/>) are registered as scoped
/// services (unless already registered) and resolved from a new scope for every delivery attempt; the scope is
/// disposed when the attempt ends. Delegate handlers are kept as they are, or get a scoped
/// <see cref="IServiceProvider"/> when they ask for one.
/// </remarks>
public sealed class HostedConsumerBuilder
{
    private const DynamicallyAccessedMemberTypes Constructors = DynamicallyAccessedMemberTypes.PublicConstructors;
    private readonly ConsumerRegistration _registration;
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);

    internal HostedConsumerBuilder(IServiceCollection services, ConsumerRegistration registration)
    {
        Services = services;
        _registration = registration;
    }

    /// <summary>Gets the service collection, to register what the handlers depend on.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Changes the processing options (concurrency, ordering, commits, retries, dead-letter topic, timeouts).</summary>
    /// <param name="configure">Changes the options; it runs when the host starts.</param>
    /// <returns>This builder.</returns>
    public HostedConsumerBuilder Configure(Action<EventConsumerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _registration.Configure.Add(configure);
        return this;
    }

    /// <summary>Handles the events of a topic, given by key (<c>KAFKA_TOPIC_{KEY}</c>), with a handler class resolved per message from a new scope.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <typeparam name="THandler">The handler; registered as scoped unless already registered.</typeparam>
    /// <param name="topicKey">The topic key, e.g. <c>ORDERS</c>; start-up fails naming <c>KAFKA_TOPIC_ORDERS</c> when it is not set.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract (trimming/AOT); <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key is empty or already has a handler in this consumer.</exception>
    public HostedConsumerBuilder AddHandler<T, [DynamicallyAccessedMembers(Constructors)] THandler>(string topicKey, JsonTypeInfo<T>? jsonTypeInfo = null)
        where THandler : class, IEventHandler<T>
    {
        Services.TryAddScoped<THandler>();
        return AddKey(topicKey, typeof(THandler).Name, (b, sp) => b.AddHandler(topicKey, ScopedHandlers.For<T, THandler>(sp), jsonTypeInfo));
    }

    /// <summary>Handles the events of a topic, given by key, with a delegate (no scope is created).</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicKey">The topic key.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key is empty or already has a handler in this consumer.</exception>
    public HostedConsumerBuilder AddHandler<T>(string topicKey, EventMessageHandler<T> handler, JsonTypeInfo<T>? jsonTypeInfo = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddKey(topicKey, "a delegate", (b, _) => b.AddHandler(topicKey, handler, jsonTypeInfo));
    }

    /// <summary>Handles the events of a topic, given by key, with a delegate that gets the services of a new scope per message.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicKey">The topic key.</param>
    /// <param name="handler">The handler: the event, the scope's services, the cancellation token.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key is empty or already has a handler in this consumer.</exception>
    public HostedConsumerBuilder AddHandler<T>(string topicKey, Func<EventContext<T>, IServiceProvider, CancellationToken, Task> handler, JsonTypeInfo<T>? jsonTypeInfo = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddKey(topicKey, "a delegate", (b, sp) => b.AddHandler(topicKey, ScopedHandlers.For(sp, handler), jsonTypeInfo));
    }

    /// <summary>Handles the events of a topic given by name (not by key), with a handler class resolved per message from a new scope.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <typeparam name="THandler">The handler; registered as scoped unless already registered.</typeparam>
    /// <param name="topicName">The Kafka topic name.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is empty or already has a handler in this consumer.</exception>
    public HostedConsumerBuilder AddTopicHandler<T, [DynamicallyAccessedMembers(Constructors)] THandler>(string topicName, JsonTypeInfo<T>? jsonTypeInfo = null)
        where THandler : class, IEventHandler<T>
    {
        Services.TryAddScoped<THandler>();
        return AddName(topicName, typeof(THandler).Name, (b, sp) => b.AddTopicHandler(topicName, ScopedHandlers.For<T, THandler>(sp), jsonTypeInfo));
    }

    /// <summary>Handles the events of a topic given by name with a delegate (no scope is created).</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicName">The Kafka topic name.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is empty or already has a handler in this consumer.</exception>
    public HostedConsumerBuilder AddTopicHandler<T>(string topicName, EventMessageHandler<T> handler, JsonTypeInfo<T>? jsonTypeInfo = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddName(topicName, "a delegate", (b, _) => b.AddTopicHandler(topicName, handler, jsonTypeInfo));
    }

    /// <summary>Handles the events of a topic, given by key, in batches of one partition, with a handler class resolved per batch from a new scope.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <typeparam name="THandler">The batch handler; registered as scoped unless already registered.</typeparam>
    /// <param name="topicKey">The topic key.</param>
    /// <param name="batchSize">The largest batch, 1 or more.</param>
    /// <param name="batchTimeout">How long a batch waits to fill before it is handled as it is.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key is empty or already has a handler in this consumer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1 or <paramref name="batchTimeout"/> is negative.</exception>
    public HostedConsumerBuilder AddBatchHandler<T, [DynamicallyAccessedMembers(Constructors)] THandler>(string topicKey, int batchSize, TimeSpan batchTimeout, JsonTypeInfo<T>? jsonTypeInfo = null)
        where THandler : class, IEventBatchHandler<T>
    {
        CheckBatch(batchSize, batchTimeout);
        Services.TryAddScoped<THandler>();
        return AddKey(topicKey, typeof(THandler).Name, (b, sp) => b.AddBatchHandler(topicKey, ScopedHandlers.ForBatch<T, THandler>(sp), batchSize, batchTimeout, jsonTypeInfo));
    }

    /// <summary>Handles the events of a topic, given by key, in batches of one partition, with a delegate (no scope is created).</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicKey">The topic key.</param>
    /// <param name="handler">The batch handler.</param>
    /// <param name="batchSize">The largest batch, 1 or more.</param>
    /// <param name="batchTimeout">How long a batch waits to fill before it is handled as it is.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key is empty or already has a handler in this consumer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1 or <paramref name="batchTimeout"/> is negative.</exception>
    public HostedConsumerBuilder AddBatchHandler<T>(string topicKey, EventBatchHandler<T> handler, int batchSize, TimeSpan batchTimeout, JsonTypeInfo<T>? jsonTypeInfo = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        CheckBatch(batchSize, batchTimeout);
        return AddKey(topicKey, "a delegate", (b, _) => b.AddBatchHandler(topicKey, handler, batchSize, batchTimeout, jsonTypeInfo));
    }

    private static void CheckBatch(int batchSize, TimeSpan batchTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchTimeout, TimeSpan.Zero);
    }

    private HostedConsumerBuilder AddKey(string topicKey, string handler, Action<EventConsumerBuilder, IServiceProvider> apply)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicKey);
        var variable = EventBusEnvironmentVariables.ForTopic(topicKey);
        if (!_topics.Add(variable))
        {
            throw new ArgumentException($"Topic key '{topicKey}' ({variable}) already has a handler in this consumer; one consumer routes each topic to one handler.", nameof(topicKey));
        }

        _registration.Routes.Add(new HandlerRoute(topicKey, null, handler, apply));
        return this;
    }

    private HostedConsumerBuilder AddName(string topicName, string handler, Action<EventConsumerBuilder, IServiceProvider> apply)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicName);
        if (!_topics.Add("topic " + topicName))
        {
            throw new ArgumentException($"Topic '{topicName}' already has a handler in this consumer; one consumer routes each topic to one handler.", nameof(topicName));
        }

        _registration.Routes.Add(new HandlerRoute(null, topicName, handler, apply));
        return this;
    }
}
