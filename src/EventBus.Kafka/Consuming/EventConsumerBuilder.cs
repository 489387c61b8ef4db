using System.Globalization;
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
    private readonly List<Registration> _handlers = [];
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
        return new EventConsumer(_options, _consumerOptions, routes, _deadLetterProducer, _loggerFactory);
    }

    /// <summary>
    /// Applies the variables, validates, and creates the routes: everything <see cref="Build"/> does before it creates
    /// the consumer. Throws with every problem found.
    /// </summary>
    /// <returns>The routes; <see cref="EffectiveOptions"/> holds the processing options.</returns>
    internal List<ConsumerRoute> Prepare()
    {
        var problems = new List<ConfigurationProblem>(EventBusOptionsValidator.Collect(_options, EventBusClientKinds.Consumer));
        var reported = new HashSet<string>(problems.Select(p => p.Variable), StringComparer.Ordinal);

        // A variable the options' validation already reported is not reported again, as out of range or unknown.
        void Add(string variable, string message)
        {
            if (!reported.Contains(variable))
            {
                problems.Add(new ConfigurationProblem(variable, message));
            }
        }

        var sources = ApplyVariables(_loggerFactory?.CreateLogger<EventConsumer>() ?? (ILogger)NullLogger.Instance);
        _consumerOptions.CollectProblems(p => sources.TryGetValue(p, out var variable) ? variable : nameof(EventConsumerOptions) + "." + p, Add);
        var deadLetterTopic = CheckDeadLetterAndErrorTopics(Add);
        var routes = CreateRoutes(deadLetterTopic, Add);
        if (problems.Count > 0)
        {
            throw new EventBusConfigurationException(problems);
        }

        return routes;
    }

    /// <summary>Gets the processing options as <see cref="Build"/> passes them to the consumer (after <see cref="Prepare"/>).</summary>
    internal EventConsumerOptions EffectiveOptions => _consumerOptions;

    private IEventSerializer Serializer => _serializer ??= JsonEventSerializer.CreateDefault();

    private static string Show(object value) => value switch
    {
        TimeSpan span => span.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms",
        OrderingMode mode => mode.ToString().ToLowerInvariant(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>
    /// Lays the processing settings of <see cref="KafkaConsumerOptions"/> (the <c>KAFKA_CONSUMER_*</c> variables) over
    /// the code's: a value that is set wins. Returns which property came from which variable, for the problems' names.
    /// </summary>
    private Dictionary<string, string> ApplyVariables(ILogger logger)
    {
        var bound = _options.Consumer;
        var o = _consumerOptions;
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);

        void Apply<TValue>(string property, string variable, TValue current, TValue? value, Action<TValue> set)
            where TValue : struct
        {
            if (value is not { } v)
            {
                return;
            }

            sources[property] = variable;
            if (!EqualityComparer<TValue>.Default.Equals(current, v))
            {
                Log.SettingFromVariable(logger, property, Show(v), variable, Show(current));
                set(v);
            }
        }

        Apply(nameof(o.MaxConcurrency), ConsumerMaxConcurrency, o.MaxConcurrency, bound.MaxConcurrency, v => o.MaxConcurrency = v);
        Apply(nameof(o.Ordering), ConsumerOrdering, o.Ordering, bound.Ordering, v => o.Ordering = v);
        Apply(nameof(o.MaxRetries), ConsumerMaxRetries, o.MaxRetries, bound.MaxRetries, v => o.MaxRetries = v);
        Apply(nameof(o.RetryBaseDelay), ConsumerRetryBackoffMs, o.RetryBaseDelay, ToDelay(bound.RetryBackoffMs), v => o.RetryBaseDelay = v);
        Apply(nameof(o.RetryMaxDelay), ConsumerRetryMaxBackoffMs, o.RetryMaxDelay, ToDelay(bound.RetryMaxBackoffMs), v => o.RetryMaxDelay = v);
        return sources;
    }

    private static TimeSpan? ToDelay(int? milliseconds) => milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    /// <summary>The dead-letter key must name a topic; the errors key is optional unless changed from its default.</summary>
    private string? CheckDeadLetterAndErrorTopics(Action<string, string> add)
    {
        var topics = _options.Topics;
        string? deadLetterTopic = null;
        var dlqKey = _consumerOptions.DeadLetterTopicKey;
        if (!string.IsNullOrWhiteSpace(dlqKey))
        {
            var variable = ForTopic(dlqKey);
            if (topics.TryGetTopicName(dlqKey, out var topic))
            {
                deadLetterTopic = topic;
            }
            else if (!(variable == ForTopic(KafkaTopicOptions.DlqKey) && string.IsNullOrWhiteSpace(_options.Connection.ServiceName)))
            {
                // (Without SERVICE_NAME the default DLQ has no name; that problem is already listed under SERVICE_NAME.)
                add(variable, $"the dead-letter topic key '{dlqKey}' ({nameof(EventConsumerOptions)}.{nameof(EventConsumerOptions.DeadLetterTopicKey)}) " +
                    $"is not configured; set {variable} to the topic name.");
            }
        }

        var errorsKey = _consumerOptions.ErrorsTopicKey;
        if (!string.IsNullOrWhiteSpace(errorsKey) && !topics.TryGetTopicName(errorsKey, out _)
            && ForTopic(errorsKey) != ForTopic(KafkaTopicOptions.ErrorsKey))
        {
            var variable = ForTopic(errorsKey);
            add(variable, $"the errors topic key '{errorsKey}' ({nameof(EventConsumerOptions)}.{nameof(EventConsumerOptions.ErrorsTopicKey)}) " +
                $"is not configured; set {variable} to the topic name, or leave the key at {KafkaTopicOptions.ErrorsKey} " +
                $"(error events are then published only when {ForTopic(KafkaTopicOptions.ErrorsKey)} is set).");
        }

        return deadLetterTopic;
    }

    /// <summary>Resolves each handler's topic; an unknown key, two handlers on one topic and a handler on the DLQ are problems.</summary>
    private List<ConsumerRoute> CreateRoutes(string? deadLetterTopic, Action<string, string> add)
    {
        var routes = new List<ConsumerRoute>(_handlers.Count);
        var owners = new Dictionary<string, Registration>(StringComparer.Ordinal);
        foreach (var handler in _handlers)
        {
            string topic;
            if (handler.TopicKey is { } key)
            {
                if (!_options.Topics.TryGetTopicName(key, out topic))
                {
                    add(ForTopic(key), $"topic key '{key}' of a handler ({handler.Description}) is not configured; set {ForTopic(key)} to the topic name.");
                    continue;
                }
            }
            else
            {
                topic = handler.TopicName!;
            }

            if (owners.TryGetValue(topic, out var owner))
            {
                var keyed = handler.TopicKey is not null ? handler : owner;
                add(ForTopic(keyed.TopicKey!), $"names topic '{topic}', which another handler of this consumer consumes too ({owner.Describe()} and " +
                    $"{handler.Describe()}); one consumer routes each topic to one handler: point the keys at different topics, or handle the topic once.");
                continue;
            }

            if (deadLetterTopic is not null && string.Equals(topic, deadLetterTopic, StringComparison.Ordinal))
            {
                add(handler.TopicKey is { } k ? ForTopic(k) : ForTopic(_consumerOptions.DeadLetterTopicKey),
                    $"topic '{topic}' of a handler ({handler.Describe()}) is this consumer's own dead-letter topic: a record failing there would be " +
                    $"dead-lettered into the topic it came from, again and again. A consumer of a dead-letter topic needs " +
                    $"{nameof(EventConsumerOptions)}.{nameof(EventConsumerOptions.DeadLetterTopicKey)} set to another configured key.");
                continue;
            }

            owners[topic] = handler;
            routes.Add(handler.Create(topic, Serializer));
        }

        return routes;
    }

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

        _handlers.Add(new Registration(topicKey, topicName, description, create));
        return this;
    }

    /// <summary>A handler as added: by key or by topic name; its route is created by <see cref="Build"/>.</summary>
    private sealed record Registration(string? TopicKey, string? TopicName, string Description, Func<string, IEventSerializer, ConsumerRoute> Create)
    {
        public string Describe() => TopicKey is { } key ? $"{Description}(\"{key}\")" : $"{Description}(\"{TopicName}\")";
    }
}
