using System.Text.Json.Serialization.Metadata;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>Builds an <see cref="EventConsumer"/>: one handler per topic (routing), per record or in batches.</summary>
/// <example>
/// <code>
/// await using var consumer = new EventConsumerBuilder(EventBusOptions.FromEnvironment())
///     .Configure(o => o.MaxConcurrency = 4)
///     .AddHandler&lt;OrderPlaced&gt;("ORDERS", async (ctx, ct) => await orders.HandleAsync(ctx.Message, ct))
///     .Build();
/// await consumer.RunAsync(stoppingToken);
/// </code>
/// </example>
public sealed class EventConsumerBuilder
{
    private readonly EventBusOptions _options;
    private readonly EventConsumerOptions _consumerOptions = new();
    private readonly List<ConsumerRoute> _routes = [];
    private IEventSerializer? _serializer;
    private ILoggerFactory? _loggerFactory;
    private EventProducer? _deadLetterProducer;

    /// <summary>Initializes a new instance of the <see cref="EventConsumerBuilder"/> class.</summary>
    /// <param name="options">The options; <c>KAFKA_CONSUMER_GROUP</c> is required.</param>
    public EventConsumerBuilder(EventBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Changes the processing options (concurrency, commits, retries, DLQ, timeouts).</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder.</returns>
    public EventConsumerBuilder Configure(Action<EventConsumerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(_consumerOptions);
        return this;
    }

    /// <summary>Handles the records of a topic, given by key (<c>KAFKA_TOPIC_{KEY}</c>), one at a time.</summary>
    /// <typeparam name="T">The payload type (<c>byte[]</c> and <see cref="string"/> pass through; others are deserialized).</typeparam>
    /// <param name="topicKey">The topic key.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract (trimming/AOT); <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="EventBusConfigurationException">The key is not configured.</exception>
    public EventConsumerBuilder AddHandler<T>(string topicKey, EventMessageHandler<T> handler, JsonTypeInfo<T>? jsonTypeInfo = null) =>
        AddTopicHandler(ResolveTopic(topicKey), handler, jsonTypeInfo);

    /// <summary>Handles the records of a topic given by name, one at a time.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicName">The topic name.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    public EventConsumerBuilder AddTopicHandler<T>(string topicName, EventMessageHandler<T> handler, JsonTypeInfo<T>? jsonTypeInfo = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Add(new SingleRoute<T>(topicName, handler, Serializer, jsonTypeInfo));
        return this;
    }

    /// <summary>Handles the records of a topic, given by key, in batches of one partition.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicKey">The topic key.</param>
    /// <param name="handler">The batch handler.</param>
    /// <param name="batchSize">The largest batch.</param>
    /// <param name="batchTimeout">How long a batch waits to fill before it is handled as it is.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    public EventConsumerBuilder AddBatchHandler<T>(string topicKey, EventBatchHandler<T> handler, int batchSize, TimeSpan batchTimeout, JsonTypeInfo<T>? jsonTypeInfo = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchTimeout, TimeSpan.Zero);
        Add(new BatchRoute<T>(ResolveTopic(topicKey), handler, batchSize, batchTimeout, Serializer, jsonTypeInfo));
        return this;
    }

    /// <summary>Uses a serializer other than System.Text.Json (set it before adding handlers).</summary>
    /// <param name="serializer">The serializer.</param>
    /// <returns>This builder.</returns>
    public EventConsumerBuilder WithSerializer(IEventSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        _serializer = serializer;
        return this;
    }

    /// <summary>Logs through this factory (librdkafka's logs included).</summary>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <returns>This builder.</returns>
    public EventConsumerBuilder WithLoggerFactory(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Dead-letters through the service's producer instead of one the consumer creates (and disposes) itself.</summary>
    /// <param name="producer">The producer; the consumer does not dispose it.</param>
    /// <returns>This builder.</returns>
    public EventConsumerBuilder WithDeadLetterProducer(EventProducer producer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        _deadLetterProducer = producer;
        return this;
    }

    /// <summary>Builds the consumer (not started).</summary>
    /// <returns>The consumer.</returns>
    /// <exception cref="EventBusConfigurationException">The configuration is invalid for a consumer (e.g. no group).</exception>
    public EventConsumer Build() => new(_options, _consumerOptions, _routes, _deadLetterProducer, _loggerFactory);

    private IEventSerializer Serializer => _serializer ??= JsonEventSerializer.CreateDefault();

    private string ResolveTopic(string topicKey)
    {
        ArgumentNullException.ThrowIfNull(topicKey);
        return _options.Topics.GetTopicName(topicKey);
    }

    private void Add(ConsumerRoute route)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(route.Topic);
        if (_routes.Any(r => r.Topic == route.Topic))
        {
            throw new ArgumentException($"Topic '{route.Topic}' already has a handler; one consumer routes each topic to one handler.", nameof(route));
        }

        _routes.Add(route);
    }
}
