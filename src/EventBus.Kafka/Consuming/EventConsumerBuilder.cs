using System.Text.Json.Serialization.Metadata;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static EventBus.Kafka.Configuration.EventBusEnvironmentVariables;

namespace EventBus.Kafka.Consuming;

/// <summary>Builds an <see cref="EventConsumer"/>: one handler per topic (routing), per record or in batches.</summary>
/// <remarks>
/// <para>Nothing is checked against the configuration until <see cref="Build"/>: it validates the options for a
/// consumer (<c>KAFKA_CONSUMER_GROUP</c> among them), the topic key of every handler, the dead-letter and errors topic
/// keys and the processing options, and throws one <see cref="EventBusConfigurationException"/> that lists every
/// problem — before anything connects. Mistakes in the code itself (a null handler, a batch size of 0, a second handler
/// for the same key or topic name) throw <see cref="ArgumentException"/> at once.</para>
/// <para>Null messages: a record with no value (a tombstone) or whose value is the JSON literal <c>null</c> never
/// reaches a handler of a non-nullable type; it is skipped and committed (counted in
/// <see cref="EventConsumerStatistics.NullRecordsSkipped"/>, logged at Debug). A handler of a
/// <see cref="Nullable{T}"/> value type, or one added with <see cref="AddNullableHandler{T}"/>,
/// <see cref="AddNullableTopicHandler{T}"/> or <see cref="AddNullableBatchHandler{T}"/>, receives them as
/// <see langword="null"/>.</para>
/// </remarks>
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
    private readonly List<HandlerRegistration> _handlers = [];
    private IEventSerializer? _serializer;
    private ILoggerFactory? _loggerFactory;
    private EventProducer? _deadLetterProducer;

    /// <summary>Initializes a new instance of the <see cref="EventConsumerBuilder"/> class.</summary>
    /// <param name="options">The options; <c>KAFKA_CONSUMER_GROUP</c> is required (checked by <see cref="Build"/>).</param>
    public EventConsumerBuilder(EventBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>
    /// Changes the processing options (concurrency, commits, retries, DLQ, timeouts). The variables
    /// <c>KAFKA_CONSUMER_MAX_CONCURRENCY</c>, <c>_ORDERING</c>, <c>_MAX_RETRIES</c>, <c>_RETRY_BACKOFF_MS</c> and
    /// <c>_RETRY_MAX_BACKOFF_MS</c>, when set, win over the values set here (see <see cref="EventConsumerOptions"/>).
    /// </summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder.</returns>
    public EventConsumerBuilder Configure(Action<EventConsumerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(_consumerOptions);
        return this;
    }

    /// <summary>Handles the records of a topic, given by key (<c>KAFKA_TOPIC_{KEY}</c>), one at a time.</summary>
    /// <typeparam name="T">
    /// The payload type (<c>byte[]</c> and <see cref="string"/> pass through; others are deserialized). The handler
    /// never receives a null message unless <typeparamref name="T"/> is a <see cref="Nullable{T}"/> value type; for a
    /// nullable reference type use <see cref="AddNullableHandler{T}"/>.
    /// </typeparam>
    /// <param name="topicKey">The topic key; checked by <see cref="Build"/>.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract (trimming/AOT); <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key already has a handler.</exception>
    public EventConsumerBuilder AddHandler<T>(string topicKey, EventMessageHandler<T> handler, JsonTypeInfo<T>? jsonTypeInfo = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(topicKey, null, $"AddHandler<{typeof(T).Name}>", (topic, serializer) => new SingleRoute<T>(topic, handler, serializer, jsonTypeInfo));
    }

    /// <summary>
    /// Handles the records of a topic, given by key, one at a time, including null messages: a tombstone or a JSON
    /// <c>null</c> reaches the handler with <see cref="EventContext{T}.Message"/> <see langword="null"/>.
    /// </summary>
    /// <typeparam name="T">The payload type, a reference type; the handler sees it as nullable.</typeparam>
    /// <param name="topicKey">The topic key; checked by <see cref="Build"/>.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key already has a handler.</exception>
    public EventConsumerBuilder AddNullableHandler<T>(string topicKey, EventMessageHandler<T?> handler, JsonTypeInfo<T>? jsonTypeInfo = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(topicKey, null, $"AddNullableHandler<{typeof(T).Name}>", (topic, serializer) => new SingleRoute<T>(topic, handler!, serializer, jsonTypeInfo, nullableOptIn: true));
    }

    /// <summary>Handles the records of a topic given by name, one at a time.</summary>
    /// <typeparam name="T">The payload type (null messages as for <see cref="AddHandler{T}"/>).</typeparam>
    /// <param name="topicName">The topic name.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is not a valid topic name, or already has a handler.</exception>
    public EventConsumerBuilder AddTopicHandler<T>(string topicName, EventMessageHandler<T> handler, JsonTypeInfo<T>? jsonTypeInfo = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(null, topicName, $"AddTopicHandler<{typeof(T).Name}>", (topic, serializer) => new SingleRoute<T>(topic, handler, serializer, jsonTypeInfo));
    }

    /// <summary>Handles the records of a topic given by name, one at a time, including null messages (as <see cref="AddNullableHandler{T}"/>).</summary>
    /// <typeparam name="T">The payload type, a reference type; the handler sees it as nullable.</typeparam>
    /// <param name="topicName">The topic name.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is not a valid topic name, or already has a handler.</exception>
    public EventConsumerBuilder AddNullableTopicHandler<T>(string topicName, EventMessageHandler<T?> handler, JsonTypeInfo<T>? jsonTypeInfo = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(null, topicName, $"AddNullableTopicHandler<{typeof(T).Name}>", (topic, serializer) => new SingleRoute<T>(topic, handler!, serializer, jsonTypeInfo, nullableOptIn: true));
    }

    /// <summary>Handles the records of a topic, given by key, in batches of one partition.</summary>
    /// <typeparam name="T">The payload type (null messages as for <see cref="AddHandler{T}"/>: skipped records leave the batch).</typeparam>
    /// <param name="topicKey">The topic key; checked by <see cref="Build"/>.</param>
    /// <param name="handler">The batch handler.</param>
    /// <param name="batchSize">The largest batch.</param>
    /// <param name="batchTimeout">How long a batch waits to fill before it is handled as it is.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key already has a handler, or the size or timeout is out of range.</exception>
    public EventConsumerBuilder AddBatchHandler<T>(string topicKey, EventBatchHandler<T> handler, int batchSize, TimeSpan batchTimeout, JsonTypeInfo<T>? jsonTypeInfo = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchTimeout, TimeSpan.Zero);
        return Add(topicKey, null, $"AddBatchHandler<{typeof(T).Name}>", (topic, serializer) => new BatchRoute<T>(topic, handler, batchSize, batchTimeout, serializer, jsonTypeInfo));
    }

    /// <summary>Handles the records of a topic, given by key, in batches of one partition, null messages included (as <see langword="null"/> messages in the batch).</summary>
    /// <typeparam name="T">The payload type, a reference type; the handler sees it as nullable.</typeparam>
    /// <param name="topicKey">The topic key; checked by <see cref="Build"/>.</param>
    /// <param name="handler">The batch handler.</param>
    /// <param name="batchSize">The largest batch.</param>
    /// <param name="batchTimeout">How long a batch waits to fill before it is handled as it is.</param>
    /// <param name="jsonTypeInfo">A source-generated JSON contract; <see langword="null"/> uses the serializer.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key already has a handler, or the size or timeout is out of range.</exception>
    public EventConsumerBuilder AddNullableBatchHandler<T>(string topicKey, EventBatchHandler<T?> handler, int batchSize, TimeSpan batchTimeout, JsonTypeInfo<T>? jsonTypeInfo = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchTimeout, TimeSpan.Zero);
        return Add(topicKey, null, $"AddNullableBatchHandler<{typeof(T).Name}>",
            (topic, serializer) => new BatchRoute<T>(topic, handler!, batchSize, batchTimeout, serializer, jsonTypeInfo, nullableOptIn: true));
    }

    /// <summary>Uses a serializer other than System.Text.Json for every handler of this builder.</summary>
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

    /// <summary>
    /// Validates everything the consumer needs and builds it (not started, not connected). The processing variables
    /// that are set are applied over <see cref="Configure"/>'s values first.
    /// </summary>
    /// <returns>The consumer.</returns>
    /// <exception cref="EventBusConfigurationException">
    /// The configuration is invalid for this consumer: the message lists every problem at once — the options' own
    /// (e.g. no <c>KAFKA_CONSUMER_GROUP</c>), each handler's topic key that is not configured, the dead-letter and errors
    /// topic keys, and the processing options.
    /// </exception>
    /// <exception cref="ArgumentException">No handler was added.</exception>
    public EventConsumer Build()
    {
        var routes = Prepare();
        return new EventConsumer(_options, _consumerOptions, routes, _deadLetterProducer, _loggerFactory, serializer: _serializer);
    }

    /// <summary>
    /// Applies the variables, validates, and creates the routes: everything <see cref="Build"/> does before it creates
    /// the consumer. Throws with every problem found.
    /// </summary>
    /// <returns>The routes; <see cref="EffectiveOptions"/> holds the processing options.</returns>
    internal List<ConsumerRoute> Prepare() => ConsumerBuildCheck.Prepare(
        _options, _consumerOptions, _handlers, _serializer ?? JsonEventSerializer.CreateDefault(),
        _loggerFactory?.CreateLogger<EventConsumer>() ?? (ILogger)NullLogger.Instance);

    /// <summary>Gets the processing options as <see cref="Build"/> passes them to the consumer (after <see cref="Prepare"/>).</summary>
    internal EventConsumerOptions EffectiveOptions => _consumerOptions;

    private EventConsumerBuilder Add(string? topicKey, string? topicName, string description, Func<string, IEventSerializer, ConsumerRoute> create)
    {
        if (topicName is null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(topicKey);
            if (_handlers.Any(h => h.TopicKey is { } other && ForTopic(other) == ForTopic(topicKey)))
            {
                throw new ArgumentException($"Topic key '{topicKey}' already has a handler; one consumer routes each topic to one handler.", nameof(topicKey));
            }
        }
        else
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(topicName);
            if (!EventBusOptionsValidator.IsValidTopicName(topicName))
            {
                throw new ArgumentException($"'{topicName}' is not a valid topic name: use 1-249 characters of a-z, A-Z, 0-9, '.', '_' and '-', not '.' or '..'.", nameof(topicName));
            }

            if (_handlers.Any(h => h.TopicName == topicName))
            {
                throw new ArgumentException($"Topic '{topicName}' already has a handler; one consumer routes each topic to one handler.", nameof(topicName));
            }
        }

        _handlers.Add(new HandlerRegistration(topicKey, topicName, description, create));
        return this;
    }
}
