using EventBus.Kafka.Configuration;
using EventBus.Kafka.Hosting.Consumers;
using Microsoft.Extensions.Options;

namespace EventBus.Kafka.Hosting.Configuration;

/// <summary>
/// Validates <see cref="EventBusOptions"/> for what the service registered, at start-up (ValidateOnStart), before
/// anything connects: the core's rules for the clients in use (the consumer group when a consumer exists), the values
/// of the <c>EventBus</c> section that could not be read, and every topic key a consumer's handler, its dead-letter
/// topic or a declared published topic names. One failure lists every problem, each naming the variable to set.
/// </summary>
internal sealed class RegisteredEventBusOptionsValidator : IValidateOptions<EventBusOptions>
{
    private readonly EventBusRegistrations _registrations;
    private readonly ConfigurationBindings _bindings;

    /// <summary>Initializes a new instance of the <see cref="RegisteredEventBusOptionsValidator"/> class.</summary>
    /// <param name="registrations">What the service registered.</param>
    /// <param name="bindings">What binding the configuration section found.</param>
    public RegisteredEventBusOptionsValidator(EventBusRegistrations registrations, ConfigurationBindings bindings)
    {
        _registrations = registrations;
        _bindings = bindings;
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EventBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name is not null && name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = Collect(options);
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(new EventBusConfigurationException(problems).Message);
    }

    /// <summary>Collects every problem of the options for the registered producer and consumers.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The problems; empty when the options are valid.</returns>
    internal List<ConfigurationProblem> Collect(EventBusOptions options)
    {
        var kinds = _registrations.Consumers.Count > 0 ? EventBusClientKinds.All : EventBusClientKinds.Producer;
        var problems = new List<ConfigurationProblem>(_bindings.Get(options).Problems);
        problems.AddRange(EventBusOptionsValidator.Collect(options, kinds));
        var named = new HashSet<string>(problems.Select(p => p.Variable), StringComparer.Ordinal);

        void RequireKey(string topicKey, string reason)
        {
            var variable = EventBusEnvironmentVariables.ForTopic(topicKey);
            if (!options.Topics.TryGetTopicName(topicKey, out _) && named.Add(variable))
            {
                problems.Add(new ConfigurationProblem(variable, $"is required: {reason}; set {variable} to the topic name."));
            }
        }

        foreach (var key in _registrations.PublishedTopicKeys)
        {
            RequireKey(key, $"the service publishes to topic key '{key}' (AddPublishedTopics)");
        }

        var serviceNameMissing = string.IsNullOrWhiteSpace(options.Connection.ServiceName);
        foreach (var consumer in _registrations.Consumers)
        {
            var topics = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var route in consumer.Routes)
            {
                if (route.TopicKey is { } key)
                {
                    RequireKey(key, $"{consumer} handles topic key '{key}' with {route.Handler}");
                    if (options.Topics.TryGetTopicName(key, out var topic) && !topics.TryAdd(topic, EventBusEnvironmentVariables.ForTopic(key)))
                    {
                        var variable = EventBusEnvironmentVariables.ForTopic(key);
                        problems.Add(new ConfigurationProblem(variable, $"names topic '{topic}', as {topics[topic]} does; {consumer} would handle that topic twice. Give each key its own topic."));
                    }
                }
            }

            var deadLetterKey = consumer.GetDeadLetterTopicKey();

            // The default dead-letter topic is {SERVICE_NAME}-dlq: with SERVICE_NAME missing, that is the problem to report.
            if (!(serviceNameMissing && string.Equals(EventBusEnvironmentVariables.ForTopic(deadLetterKey), EventBusEnvironmentVariables.ForTopic(KafkaTopicOptions.DlqKey), StringComparison.Ordinal)))
            {
                RequireKey(deadLetterKey, $"{consumer} dead-letters to topic key '{deadLetterKey}'");
            }
        }

        return problems;
    }
}
