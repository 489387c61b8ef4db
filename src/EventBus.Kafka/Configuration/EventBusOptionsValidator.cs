using Acks = Confluent.Kafka.Acks;
using AutoOffsetReset = Confluent.Kafka.AutoOffsetReset;
using CompressionType = Confluent.Kafka.CompressionType;
using Microsoft.Extensions.Options;
using static EventBus.Kafka.Configuration.EventBusEnvironmentVariables;

namespace EventBus.Kafka.Configuration;

/// <summary>
/// Validates <see cref="EventBusOptions"/> as a whole: every problem is collected, each naming the environment
/// variable to set, so one start-up failure tells the operator everything to fix.
/// </summary>
public sealed class EventBusOptionsValidator : IValidateOptions<EventBusOptions>
{
    private const int MaxTopicNameLength = 249;

    /// <summary>Validates for producers and the admin client (the consumer group is not required).</summary>
    /// <param name="name">The options name.</param>
    /// <param name="options">The options.</param>
    /// <returns>Success, or a failure with one line per problem.</returns>
    public ValidateOptionsResult Validate(string? name, EventBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Collect(options, EventBusClientKinds.Producer);
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => p.ToString()));
    }

    /// <summary>Throws when the options are invalid for the given kinds of client.</summary>
    /// <param name="options">The options.</param>
    /// <param name="kinds">The clients that will be built; <see cref="EventBusClientKinds.Consumer"/> requires a group.</param>
    /// <exception cref="EventBusConfigurationException">The options are invalid; the message lists every problem.</exception>
    public static void ThrowIfInvalid(EventBusOptions options, EventBusClientKinds kinds)
    {
        var problems = Collect(options, kinds);
        if (problems.Count > 0)
        {
            throw new EventBusConfigurationException(problems);
        }
    }

    /// <summary>Collects every problem of the options for the given kinds of client.</summary>
    /// <param name="options">The options.</param>
    /// <param name="kinds">The clients that will be built.</param>
    /// <returns>The problems; empty when the options are valid.</returns>
    public static IReadOnlyList<ConfigurationProblem> Collect(EventBusOptions options, EventBusClientKinds kinds)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<ConfigurationProblem>(options.BindingProblems);
        var unreadable = new HashSet<string>(problems.Select(p => p.Variable), StringComparer.Ordinal);

        // A variable that could not be read is reported once, not again as "missing" or "out of range".
        void Add(string variable, string message)
        {
            if (!unreadable.Contains(variable))
            {
                problems.Add(new ConfigurationProblem(variable, message));
            }
        }

        ValidateConnection(options.Connection, Add);
        ValidateProducer(options.Producer, Add);
        ValidateConsumer(options.Consumer, kinds.HasFlag(EventBusClientKinds.Consumer), Add);

        ValidateTopics(options.Topics, Add);
        return problems;
    }

    private static void ValidateConnection(KafkaConnectionOptions c, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(c.BootstrapServers))
        {
            add(BootstrapServers, "is required: the comma-separated host:port list of the brokers, e.g. broker-1:9092,broker-2:9092.");
        }
        else
        {
            foreach (var server in c.BootstrapServers.Split(',', StringSplitOptions.TrimEntries))
            {
                var colon = server.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
                {
                    add(BootstrapServers, $"'{server}' is not host:port; use a comma-separated list such as broker-1:9092,broker-2:9092.");
                }
            }
        }

        if (string.IsNullOrWhiteSpace(c.ServiceName))
        {
            add(ServiceName, "is required: the name of this service (client.id prefix, 'source' header, default DLQ '{SERVICE_NAME}-dlq').");
        }
        else if (!IsValidTopicName(c.ServiceName.Trim() + "-dlq"))
        {
            add(ServiceName, $"'{c.ServiceName}' cannot prefix a topic name; use letters, digits, '.', '_' and '-' only.");
        }

        var protocol = c.GetEffectiveSecurityProtocol();
        var sasl = protocol is Confluent.Kafka.SecurityProtocol.SaslPlaintext or Confluent.Kafka.SecurityProtocol.SaslSsl;
        if (c.SaslMechanism is { } mechanism)
        {
            if (!sasl)
            {
                add(SecurityProtocol, $"is {ProtocolName(protocol)}, but {SaslMechanism} is set; use SASL_SSL (or SASL_PLAINTEXT), or unset {SaslMechanism}.");
            }

            if (mechanism == KafkaSaslMechanism.AwsMskIam)
            {
                if (string.IsNullOrWhiteSpace(c.AwsRegion))
                {
                    add(AwsRegion, "is required with KAFKA_SASL_MECHANISM=AWS_MSK_IAM (the region of the MSK cluster).");
                }

                if (protocol != Confluent.Kafka.SecurityProtocol.SaslSsl)
                {
                    add(SecurityProtocol, "must be SASL_SSL with KAFKA_SASL_MECHANISM=AWS_MSK_IAM.");
                }

                if (c.OAuthBearerTokenProvider is null && !OAuthBearerAuthentication.IsAwsMskIamPackageAvailable())
                {
                    add(SaslMechanism, OAuthBearerAuthentication.MissingAwsMskIamPackageMessage);
                }
            }
            else if (mechanism == KafkaSaslMechanism.OAuthBearer)
            {
                if (c.OAuthBearerTokenProvider is null)
                {
                    add(SaslMechanism, OAuthBearerAuthentication.MissingProviderMessage);
                }
            }
            else
            {
                if (string.IsNullOrWhiteSpace(c.SaslUsername))
                {
                    add(SaslUsername, $"is required with {SaslMechanism}={MechanismName(mechanism)}.");
                }

                if (string.IsNullOrEmpty(c.SaslPassword))
                {
                    add(SaslPassword, $"is required with {SaslMechanism}={MechanismName(mechanism)}.");
                }
            }
        }
        else if (sasl)
        {
            add(SaslMechanism, $"is required with {SecurityProtocol}={ProtocolName(protocol)}; use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or AWS_MSK_IAM.");
        }

        if (EnvironmentVariableBinder.UsesSsl(protocol))
        {
            CheckFile(c.SslCaLocation, c.SslCaLocationVariable ?? SslCaLocation, add);
            CheckFile(c.SslCertificateLocation, SslCertificateFile, add);
            CheckFile(c.SslKeyLocation, SslKeyFile, add);
            if (string.IsNullOrWhiteSpace(c.SslCertificateLocation) != string.IsNullOrWhiteSpace(c.SslKeyLocation))
            {
                add(string.IsNullOrWhiteSpace(c.SslKeyLocation) ? SslKeyFile : SslCertificateFile,
                    $"mutual TLS needs both {SslCertificateFile} and {SslKeyFile}; set the missing one or unset both.");
            }
        }
    }

    private static void ValidateProducer(KafkaProducerOptions p, Action<string, string> add)
    {
        if (p.EnableIdempotence && p.Acks != Acks.All)
        {
            add(ProducerAcks, $"is {(p.Acks == Acks.Leader ? "1" : "0")}, which conflicts with the idempotent producer (no duplicates, order kept); set {ProducerAcks}=all.");
        }

        if (!Enum.IsDefined(p.CompressionType))
        {
            add(ProducerCompressionType, "is not a compression type; use none, gzip, snappy, lz4 or zstd.");
        }

        AtLeast(p.LingerMs, 0, ProducerLingerMs, add);
        AtLeast(p.RetryBackoffMs, 1, ProducerRetryBackoffMs, add);
        Positive(p.FlushTimeout, ProducerFlushTimeout, add);
        if (p.CloseTimeout < TimeSpan.Zero)
        {
            add(ProducerCloseTimeout, $"is {p.CloseTimeout.TotalSeconds} s; it must be 0 or more seconds.");
        }
    }

    private static void ValidateConsumer(KafkaConsumerOptions c, bool groupRequired, Action<string, string> add)
    {
        if (groupRequired && string.IsNullOrWhiteSpace(c.GroupId))
        {
            add(ConsumerGroup, "is required for a consumer: the consumer group (group.id) this service reads in.");
        }

        if (c.AutoOffsetReset is not (AutoOffsetReset.Earliest or AutoOffsetReset.Latest))
        {
            add(ConsumerAutoOffsetReset, "must be earliest or latest.");
        }

        if (c.EnableAutoCommit)
        {
            add(ConsumerEnableAutoCommit, "must be false: EventBus commits an offset only after its handler succeeded or the record was dead-lettered; auto-commit would lose messages.");
        }

        AtLeast(c.MaxPollRecords, 1, ConsumerMaxPollRecords, add);
        AtLeast(c.MaxPollIntervalMs, 1, ConsumerMaxPollIntervalMs, add);
        AtLeast(c.SessionTimeoutMs, 1, ConsumerSessionTimeoutMs, add);
        AtLeast(c.HeartbeatIntervalMs, 1, ConsumerHeartbeatIntervalMs, add);
        AtLeast(c.FetchMinBytes, 1, ConsumerFetchMinBytes, add);
        AtLeast(c.FetchWaitMaxMs, 0, ConsumerFetchWaitMaxMs, add);
        AtLeast(c.StatisticsIntervalMs, 0, ConsumerStatisticsIntervalMs, add);
        if (c.HeartbeatIntervalMs >= c.SessionTimeoutMs && c.HeartbeatIntervalMs > 0 && c.SessionTimeoutMs > 0)
        {
            add(ConsumerHeartbeatIntervalMs, $"is {c.HeartbeatIntervalMs} ms, not below {ConsumerSessionTimeoutMs} ({c.SessionTimeoutMs} ms); keep it at about a third of the session timeout.");
        }

        if (c.MaxPollIntervalMs < c.SessionTimeoutMs && c.MaxPollIntervalMs > 0 && c.SessionTimeoutMs > 0)
        {
            add(ConsumerMaxPollIntervalMs, $"is {c.MaxPollIntervalMs} ms, below {ConsumerSessionTimeoutMs} ({c.SessionTimeoutMs} ms); it must be at least the session timeout.");
        }

        ValidateProcessing(c, add);
    }

    /// <summary>The processing settings, when set; EventConsumerBuilder checks them again against the code's values.</summary>
    private static void ValidateProcessing(KafkaConsumerOptions c, Action<string, string> add)
    {
        if (c.MaxConcurrency is { } concurrency)
        {
            AtLeast(concurrency, 1, ConsumerMaxConcurrency, add);
        }

        if (c.Ordering is { } ordering && !Enum.IsDefined(ordering))
        {
            add(ConsumerOrdering, "must be partition or key.");
        }

        if (c.MaxRetries is { } retries)
        {
            AtLeast(retries, 0, ConsumerMaxRetries, add);
        }

        if (c.RetryBackoffMs is { } backoff)
        {
            AtLeast(backoff, 0, ConsumerRetryBackoffMs, add);
        }

        if (c.RetryMaxBackoffMs is { } maxBackoff)
        {
            AtLeast(maxBackoff, 0, ConsumerRetryMaxBackoffMs, add);
            if (c.RetryBackoffMs is { } first && first >= 0 && maxBackoff >= 0 && maxBackoff < first)
            {
                add(ConsumerRetryMaxBackoffMs, $"is {maxBackoff} ms, below {ConsumerRetryBackoffMs} ({first} ms); the longest delay between retries must be at least the first.");
            }
        }

        if (c.TransactionIntervalMs is { } interval)
        {
            AtLeast(interval, 1, ConsumerTransactionIntervalMs, add);
        }

        if (c.TransactionMaxRecords is { } maxRecords)
        {
            AtLeast(maxRecords, 1, ConsumerTransactionMaxRecords, add);
        }
    }

    private static void ValidateTopics(KafkaTopicOptions t, Action<string, string> add)
    {
        Positive(t.CreationTimeout, TopicCreationTimeout, add);
        AtLeast(t.CreationRetries, 0, TopicCreationRetries, add);
        if (t.CreationRetryDelay < TimeSpan.Zero)
        {
            add(TopicCreationRetryDelay, $"is {t.CreationRetryDelay.TotalSeconds} s; it must be 0 or more seconds.");
        }

        foreach (var (tier, settings) in t.Tiers)
        {
            var where = $"EventBus:Topics:Tiers:{tier}";
            if (settings.Partitions <= 0)
            {
                add(where, $"partitions is {settings.Partitions}; it must be 1 or more.");
            }

            if (settings.ReplicationFactor <= 0)
            {
                add(where, $"replication factor is {settings.ReplicationFactor}; it must be 1 or more.");
            }

            if (settings.MinInsyncReplicas > settings.ReplicationFactor || settings.MinInsyncReplicas <= 0)
            {
                add(where, $"min.insync.replicas is {settings.MinInsyncReplicas}; it must be between 1 and the replication factor ({settings.ReplicationFactor}).");
            }
        }

        foreach (var (key, definition) in t.Topics)
        {
            var variable = ForTopic(key);
            if (string.IsNullOrWhiteSpace(definition.Name))
            {
                add(variable, "is empty; set it to the topic name or remove the topic's other settings.");
                continue;
            }

            if (!IsValidTopicName(definition.Name))
            {
                add(variable, $"'{definition.Name}' is not a valid topic name: use 1-249 characters of a-z, A-Z, 0-9, '.', '_' and '-', not '.' or '..'.");
            }
        }

        foreach (var spec in t.GetResolvedTopics())
        {
            var variable = ForTopic(spec.Key);
            var explicitly = t.Topics[spec.Key];
            if (spec.Partitions <= 0)
            {
                add(variable + TopicPartitionsSuffix, $"is {spec.Partitions}; a topic needs 1 or more partitions.");
            }

            if (spec.ReplicationFactor <= 0)
            {
                add(variable + TopicReplicationSuffix, $"is {spec.ReplicationFactor}; the replication factor must be 1 or more.");
            }

            if (spec.RetentionMs is 0 or < -1)
            {
                add(variable + TopicRetentionMsSuffix, $"is {spec.RetentionMs}; use a positive number of milliseconds, or -1 to keep records forever.");
            }

            if (spec.MinInsyncReplicas <= 0)
            {
                add(variable + TopicMinInsyncReplicasSuffix, $"is {spec.MinInsyncReplicas}; it must be 1 or more.");
            }
            else if (spec.ReplicationFactor > 0 && spec.MinInsyncReplicas > spec.ReplicationFactor)
            {
                var culprit = explicitly.MinInsyncReplicas is not null || explicitly.ReplicationFactor is null
                    ? variable + TopicMinInsyncReplicasSuffix
                    : variable + TopicReplicationSuffix;
                add(culprit, $"topic '{spec.Name}' would have min.insync.replicas {spec.MinInsyncReplicas} above its replication factor {spec.ReplicationFactor}, so no write could succeed; lower {variable}{TopicMinInsyncReplicasSuffix} or raise {variable}{TopicReplicationSuffix}.");
            }
        }
    }

    /// <summary>Whether a name is a legal Kafka topic name: 1–249 of [a-zA-Z0-9._-], not "." or "..".</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when Kafka accepts the name.</returns>
    public static bool IsValidTopicName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxTopicNameLength || name is "." or "..")
        {
            return false;
        }

        foreach (var ch in name)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckFile(string? path, string variable, Action<string, string> add)
    {
        if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
        {
            add(variable, $"names '{path}', which does not exist or cannot be read.");
        }
    }

    private static void AtLeast(long value, long minimum, string variable, Action<string, string> add)
    {
        if (value < minimum)
        {
            add(variable, $"is {value}; it must be {minimum} or more.");
        }
    }

    private static void Positive(TimeSpan value, string variable, Action<string, string> add)
    {
        if (value <= TimeSpan.Zero)
        {
            add(variable, $"is {value.TotalSeconds} s; it must be more than 0 seconds.");
        }
    }

    private static string ProtocolName(Confluent.Kafka.SecurityProtocol protocol) => protocol switch
    {
        Confluent.Kafka.SecurityProtocol.Plaintext => "PLAINTEXT",
        Confluent.Kafka.SecurityProtocol.Ssl => "SSL",
        Confluent.Kafka.SecurityProtocol.SaslPlaintext => "SASL_PLAINTEXT",
        _ => "SASL_SSL",
    };

    private static string MechanismName(KafkaSaslMechanism mechanism) => mechanism switch
    {
        KafkaSaslMechanism.Plain => "PLAIN",
        KafkaSaslMechanism.ScramSha256 => "SCRAM-SHA-256",
        KafkaSaslMechanism.ScramSha512 => "SCRAM-SHA-512",
        KafkaSaslMechanism.OAuthBearer => "OAUTHBEARER",
        _ => "AWS_MSK_IAM",
    };
}
