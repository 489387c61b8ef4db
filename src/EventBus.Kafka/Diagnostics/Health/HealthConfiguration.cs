using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>Builds the redacted configuration of the health report.</summary>
internal static class HealthConfiguration
{
    /// <summary>Keys whose values are secrets beyond <see cref="Redaction.IsSecretKey"/>'s words (an OAUTHBEARER configuration may hold a client secret).</summary>
    private static readonly string[] MoreSecretKeys = ["sasl.oauthbearer.config", "ssl.keystore"];

    public static EventBusHealthConfiguration From(EventBusOptions options)
    {
        var connection = options.Connection;
        var topics = options.Topics.Topics
            .Where(t => !string.IsNullOrWhiteSpace(t.Value.Name))
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .ToDictionary(t => EventBusEnvironmentVariables.NormalizeTopicKey(t.Key), t => t.Value.Name!, StringComparer.Ordinal);
        return new EventBusHealthConfiguration(
            connection.ServiceName,
            connection.GetEffectiveSecurityProtocol().ToString(),
            connection.SaslMechanism?.ToString(),
            options.Consumer.GroupId,
            options.Topics.AutoCreate,
            topics,
            Redact(TryCreate(() => KafkaClientConfigFactory.CreateProducerConfig(options))),
            string.IsNullOrWhiteSpace(options.Consumer.GroupId) ? null : Redact(TryCreate(() => KafkaClientConfigFactory.CreateConsumerConfig(options))));
    }

    /// <summary>Whether a librdkafka property holds a secret.</summary>
    /// <param name="key">The property.</param>
    /// <returns>Whether its value must be masked.</returns>
    public static bool IsSecret(string key) =>
        Redaction.IsSecretKey(key) || MoreSecretKeys.Any(k => key.Contains(k, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<KeyValuePair<string, string>> TryCreate(Func<IEnumerable<KeyValuePair<string, string>>> create)
    {
        try
        {
            return create();
        }
        catch (EventBusConfigurationException)
        {
            return [];
        }
    }

    private static Dictionary<string, string> Redact(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in properties)
        {
            // client.id is unique per client (a fresh one each time the factory runs): not configuration.
            if (key == "client.id")
            {
                continue;
            }

            result[key] = IsSecret(key) ? Redaction.MaskText : value;
        }

        return new Dictionary<string, string>(result, StringComparer.Ordinal);
    }
}
