using System.Security.Cryptography;
using Confluent.Kafka;

namespace EventBus.Kafka.Configuration;

/// <summary>
/// The one place that turns <see cref="EventBusOptions"/> into Confluent client configurations. Every producer,
/// consumer and admin client EventBus builds gets its settings here, so a setting means the same everywhere.
/// </summary>
/// <remarks>
/// Order of precedence: the mapped EventBus settings, then <see cref="KafkaConnectionOptions.AdditionalProperties"/>,
/// then the client-specific <c>AdditionalProperties</c>. The options are validated first; an invalid configuration
/// throws <see cref="EventBusConfigurationException"/> listing every problem.
/// </remarks>
public static class KafkaClientConfigFactory
{
    /// <summary>Builds the producer configuration: acks=all, idempotence, snappy, linger and backoff from the options.</summary>
    /// <param name="options">The options.</param>
    /// <returns>A new configuration with a fresh client.id.</returns>
    /// <exception cref="EventBusConfigurationException">The options are invalid.</exception>
    public static ProducerConfig CreateProducerConfig(EventBusOptions options)
    {
        EventBusOptionsValidator.ThrowIfInvalid(options, EventBusClientKinds.Producer);
        var producer = options.Producer;
        var config = new ProducerConfig
        {
            Acks = producer.Acks,
            EnableIdempotence = producer.EnableIdempotence,
            CompressionType = producer.CompressionType,
            LingerMs = producer.LingerMs,
            RetryBackoffMs = producer.RetryBackoffMs,
        };
        ApplyConnection(config, options.Connection);
        Apply(config, producer.AdditionalProperties);
        return config;
    }

    /// <summary>
    /// Builds the consumer configuration: the group, manual commits (auto-commit and auto offset store off),
    /// cooperative-sticky assignment and the seed timeouts.
    /// </summary>
    /// <param name="options">The options; <see cref="KafkaConsumerOptions.GroupId"/> is required.</param>
    /// <returns>A new configuration with a fresh client.id.</returns>
    /// <exception cref="EventBusConfigurationException">The options are invalid for a consumer.</exception>
    public static ConsumerConfig CreateConsumerConfig(EventBusOptions options)
    {
        EventBusOptionsValidator.ThrowIfInvalid(options, EventBusClientKinds.Consumer);
        var consumer = options.Consumer;
        var config = new ConsumerConfig
        {
            GroupId = consumer.GroupId,
            AutoOffsetReset = consumer.AutoOffsetReset,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            MaxPollIntervalMs = consumer.MaxPollIntervalMs,
            SessionTimeoutMs = consumer.SessionTimeoutMs,
            HeartbeatIntervalMs = consumer.HeartbeatIntervalMs,
            FetchMinBytes = consumer.FetchMinBytes,
            FetchWaitMaxMs = consumer.FetchWaitMaxMs,
            EnablePartitionEof = false,
            StatisticsIntervalMs = consumer.StatisticsIntervalMs,
        };
        ApplyConnection(config, options.Connection);
        Apply(config, consumer.AdditionalProperties);
        return config;
    }

    /// <summary>Builds the admin client configuration: the connection and security settings.</summary>
    /// <param name="options">The options.</param>
    /// <returns>A new configuration with a fresh client.id.</returns>
    /// <exception cref="EventBusConfigurationException">The options are invalid.</exception>
    public static AdminClientConfig CreateAdminClientConfig(EventBusOptions options)
    {
        EventBusOptionsValidator.ThrowIfInvalid(options, EventBusClientKinds.Producer);
        var config = new AdminClientConfig();
        ApplyConnection(config, options.Connection);
        return config;
    }

    /// <summary>Makes a client.id: <c>{serviceName}-{hostname}-{8 hex}</c>, unique per client.</summary>
    /// <param name="serviceName">The service name.</param>
    /// <returns>The client id, restricted to characters brokers accept in quotas and logs.</returns>
    public static string CreateClientId(string serviceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        return $"{Sanitize(serviceName.Trim())}-{Sanitize(Environment.MachineName)}-{Convert.ToHexString(random).ToLowerInvariant()}";
    }

    private static void ApplyConnection(ClientConfig config, KafkaConnectionOptions connection)
    {
        var protocol = connection.GetEffectiveSecurityProtocol();
        config.BootstrapServers = connection.BootstrapServers!.Trim();
        config.ClientId = CreateClientId(connection.ServiceName!);
        config.SecurityProtocol = protocol;

        if (EnvironmentVariableBinder.UsesSsl(protocol))
        {
            var ca = connection.SslCaLocation;
            if (string.IsNullOrWhiteSpace(ca) && File.Exists(KafkaConnectionOptions.DefaultSslCaLocation))
            {
                ca = KafkaConnectionOptions.DefaultSslCaLocation;
            }

            if (!string.IsNullOrWhiteSpace(ca))
            {
                config.SslCaLocation = ca;
            }

            if (!string.IsNullOrWhiteSpace(connection.SslCertificateLocation))
            {
                config.SslCertificateLocation = connection.SslCertificateLocation;
                config.SslKeyLocation = connection.SslKeyLocation;
                if (!string.IsNullOrEmpty(connection.SslKeyPassword))
                {
                    config.SslKeyPassword = connection.SslKeyPassword;
                }
            }
        }

        switch (connection.SaslMechanism)
        {
            case KafkaSaslMechanism.Plain:
            case KafkaSaslMechanism.ScramSha256:
            case KafkaSaslMechanism.ScramSha512:
                config.SaslMechanism = connection.SaslMechanism switch
                {
                    KafkaSaslMechanism.Plain => SaslMechanism.Plain,
                    KafkaSaslMechanism.ScramSha256 => SaslMechanism.ScramSha256,
                    _ => SaslMechanism.ScramSha512,
                };
                config.SaslUsername = connection.SaslUsername;
                config.SaslPassword = connection.SaslPassword;
                break;
            case KafkaSaslMechanism.AwsMskIam:
            case KafkaSaslMechanism.OAuthBearer:
                // Tokens come from an OAUTHBEARER refresh handler (OAuthBearerAuthentication): the provider set in code,
                // or for AWS_MSK_IAM the one of EventBus.Kafka.Aws, signing with the process's IAM role.
                config.SaslMechanism = SaslMechanism.OAuthBearer;
                break;
        }

        Apply(config, connection.AdditionalProperties);
    }

    private static void Apply(ClientConfig config, IDictionary<string, string> properties)
    {
        foreach (var (key, value) in properties)
        {
            config.Set(key, value);
        }
    }

    private static string Sanitize(string value)
    {
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] is '.' or '_' or '-'))
            {
                chars[i] = '-';
            }
        }

        return new string(chars);
    }
}
