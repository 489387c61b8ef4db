using System.Globalization;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.Logging;
using static EventBus.Kafka.Configuration.EventBusEnvironmentVariables;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// What <see cref="EventConsumerBuilder.Build"/> does before it creates the consumer: lays the processing variables
/// over the code's options (a variable that is set wins), and collects every problem — the options' own for a
/// consumer, the processing options, the dead-letter and errors topic keys, each handler's topic — into one
/// <see cref="EventBusConfigurationException"/>. Nothing connects.
/// </summary>
internal static class ConsumerBuildCheck
{
    /// <summary>
    /// Applies the processing variables over <paramref name="consumerOptions"/>, validates everything and creates the
    /// routes; throws one exception with every problem found.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="consumerOptions">The processing options as configured in code; the variables that are set are applied to them.</param>
    /// <param name="handlers">The handlers as added.</param>
    /// <param name="serializer">The serializer of the routes.</param>
    /// <param name="logger">Logs the settings the variables changed.</param>
    /// <returns>The routes.</returns>
    /// <exception cref="EventBusConfigurationException">Something is wrong; the message lists every problem.</exception>
    public static List<ConsumerRoute> Prepare(
        EventBusOptions options, EventConsumerOptions consumerOptions, IReadOnlyList<HandlerRegistration> handlers, IEventSerializer serializer, ILogger logger)
    {
        var problems = new List<ConfigurationProblem>(EventBusOptionsValidator.Collect(options, EventBusClientKinds.Consumer));
        var reported = new HashSet<string>(problems.Select(p => p.Variable), StringComparer.Ordinal);

        // A variable the options' validation already reported is not reported again, as out of range or unknown.
        void Add(string variable, string message)
        {
            if (!reported.Contains(variable))
            {
                problems.Add(new ConfigurationProblem(variable, message));
            }
        }

        var sources = ApplyVariables(options.Consumer, consumerOptions, logger);
        consumerOptions.CollectProblems(p => sources.TryGetValue(p, out var variable) ? variable : nameof(EventConsumerOptions) + "." + p, Add);
        var deadLetterTopic = CheckDeadLetterAndErrorTopics(options, consumerOptions, Add);
        ExactlyOnce.ExactlyOnceCheck.CollectProblems(options, consumerOptions, p => sources.TryGetValue(p, out var variable) ? variable : nameof(EventConsumerOptions) + "." + p, Add);
        var routes = CreateRoutes(options.Topics, consumerOptions, handlers, serializer, deadLetterTopic, Add);
        if (problems.Count > 0)
        {
            throw new EventBusConfigurationException(problems);
        }

        return routes;
    }

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
    private static Dictionary<string, string> ApplyVariables(KafkaConsumerOptions bound, EventConsumerOptions o, ILogger logger)
    {
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
        Apply(nameof(o.ExactlyOnce), ConsumerExactlyOnce, o.ExactlyOnce, bound.ExactlyOnce, v => o.ExactlyOnce = v);
        Apply(nameof(o.TransactionInterval), ConsumerTransactionIntervalMs, o.TransactionInterval, ToDelay(bound.TransactionIntervalMs), v => o.TransactionInterval = v);
        Apply(nameof(o.TransactionMaxRecords), ConsumerTransactionMaxRecords, o.TransactionMaxRecords, bound.TransactionMaxRecords, v => o.TransactionMaxRecords = v);
        return sources;
    }

    private static TimeSpan? ToDelay(int? milliseconds) => milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    /// <summary>The dead-letter key must name a topic; the errors key is optional unless changed from its default.</summary>
    private static string? CheckDeadLetterAndErrorTopics(EventBusOptions options, EventConsumerOptions consumerOptions, Action<string, string> add)
    {
        var topics = options.Topics;
        string? deadLetterTopic = null;
        var dlqKey = consumerOptions.DeadLetterTopicKey;
        if (!string.IsNullOrWhiteSpace(dlqKey))
        {
            var variable = ForTopic(dlqKey);
            if (topics.TryGetTopicName(dlqKey, out var topic))
            {
                deadLetterTopic = topic;
            }
            else if (!(variable == ForTopic(KafkaTopicOptions.DlqKey) && string.IsNullOrWhiteSpace(options.Connection.ServiceName)))
            {
                // (Without SERVICE_NAME the default DLQ has no name; that problem is already listed under SERVICE_NAME.)
                add(variable, $"the dead-letter topic key '{dlqKey}' ({nameof(EventConsumerOptions)}.{nameof(EventConsumerOptions.DeadLetterTopicKey)}) " +
                    $"is not configured; set {variable} to the topic name.");
            }
        }

        var errorsKey = consumerOptions.ErrorsTopicKey;
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
    private static List<ConsumerRoute> CreateRoutes(
        KafkaTopicOptions topics, EventConsumerOptions consumerOptions, IReadOnlyList<HandlerRegistration> handlers, IEventSerializer serializer,
        string? deadLetterTopic, Action<string, string> add)
    {
        var routes = new List<ConsumerRoute>(handlers.Count);
        var owners = new Dictionary<string, HandlerRegistration>(StringComparer.Ordinal);
        foreach (var handler in handlers)
        {
            string topic;
            if (handler.TopicKey is { } key)
            {
                if (!topics.TryGetTopicName(key, out topic))
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
                add(handler.TopicKey is { } k ? ForTopic(k) : ForTopic(consumerOptions.DeadLetterTopicKey),
                    $"topic '{topic}' of a handler ({handler.Describe()}) is this consumer's own dead-letter topic: a record failing there would be " +
                    $"dead-lettered into the topic it came from, again and again. A consumer of a dead-letter topic needs " +
                    $"{nameof(EventConsumerOptions)}.{nameof(EventConsumerOptions.DeadLetterTopicKey)} set to another configured key.");
                continue;
            }

            owners[topic] = handler;
            routes.Add(handler.Create(topic, serializer));
        }

        return routes;
    }
}
