namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>
/// The configuration in the health report, redacted: what the service runs with, as librdkafka gets it. Every value
/// whose key names a secret (passwords, secrets, tokens, JAAS configurations, private keys) is <c>***</c>.
/// </summary>
/// <param name="ServiceName">The service name (<c>SERVICE_NAME</c>).</param>
/// <param name="SecurityProtocol">The effective security protocol (<c>KAFKA_SECURITY_PROTOCOL</c>).</param>
/// <param name="SaslMechanism">The SASL mechanism (<c>KAFKA_SASL_MECHANISM</c>), if any.</param>
/// <param name="ConsumerGroup">The consumer group (<c>KAFKA_CONSUMER_GROUP</c>), if any.</param>
/// <param name="TopicAutoCreate">Whether topics are provisioned at start-up (<c>KAFKA_TOPIC_AUTO_CREATE</c>).</param>
/// <param name="Topics">Topic key to topic name (<c>KAFKA_TOPIC_{KEY}</c>).</param>
/// <param name="Producer">The producer's librdkafka configuration, redacted.</param>
/// <param name="Consumer">The consumers' librdkafka configuration, redacted; <see langword="null"/> without a consumer group.</param>
public sealed record EventBusHealthConfiguration(
    string? ServiceName,
    string SecurityProtocol,
    string? SaslMechanism,
    string? ConsumerGroup,
    bool TopicAutoCreate,
    IReadOnlyDictionary<string, string> Topics,
    IReadOnlyDictionary<string, string> Producer,
    IReadOnlyDictionary<string, string>? Consumer);
