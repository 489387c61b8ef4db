using System.Collections;
using System.Globalization;
using Acks = Confluent.Kafka.Acks;
using CompressionType = Confluent.Kafka.CompressionType;
using static EventBus.Kafka.Configuration.EventBusEnvironmentVariables;

namespace EventBus.Kafka.Configuration;

/// <summary>
/// Applies the <c>KAFKA_*</c> environment variables (<see cref="EventBusEnvironmentVariables"/>) onto
/// <see cref="EventBusOptions"/>. Variables that are absent or empty leave the current value alone, so the
/// variables can be laid over options bound from IConfiguration.
/// </summary>
/// <remarks>
/// A value that cannot be read (not a number, an unknown enum word) does not throw here: it is recorded and
/// reported, with every other problem, by <see cref="EventBusOptionsValidator"/>.
/// </remarks>
public static partial class EnvironmentVariableBinder
{
    private static readonly string[] TopicSuffixes =
    [
        TopicMinInsyncReplicasSuffix, TopicRetentionMsSuffix, TopicPartitionsSuffix, TopicReplicationSuffix, TopicTierSuffix,
    ];

    private static readonly HashSet<string> TopicSettings = new(StringComparer.Ordinal)
    {
        TopicAutoCreate, TopicCreationTimeout, TopicCreationRetries, TopicCreationRetryDelay,
    };

    /// <summary>Reads the process environment into a dictionary.</summary>
    /// <returns>Every environment variable of the process.</returns>
    public static IReadOnlyDictionary<string, string?> ReadProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = entry.Value as string;
        }

        return result;
    }

    /// <summary>Applies the variables onto <paramref name="options"/>.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="variables">Variable names and values, e.g. <see cref="ReadProcessEnvironment"/>.</param>
    public static void Bind(EventBusOptions options, IEnumerable<KeyValuePair<string, string?>> variables)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(variables);

        var reader = new Reader(variables, options.BindingProblems);
        BindConnection(options.Connection, reader);
        BindProducer(options.Producer, reader);
        BindConsumer(options.Consumer, reader);
        BindTopics(options, reader);
        VariableSpellingCheck.WarnUnknownVariables(reader.Names, options.BindingWarnings);
    }

    private static void BindConnection(KafkaConnectionOptions connection, Reader reader)
    {
        reader.String(BootstrapServers, v => connection.BootstrapServers = v);
        reader.String(ServiceName, v => connection.ServiceName = v);

        var protocol = reader.Get(SecurityProtocol);
        var useSsl = reader.Get(UseSsl);
        if (protocol is not null)
        {
            if (TryParseSecurityProtocol(protocol, out var parsed))
            {
                connection.SecurityProtocol = parsed;
                if (useSsl is not null && TryParseBool(useSsl, out var ssl) && ssl != UsesSsl(parsed))
                {
                    reader.Problem(UseSsl, $"{UseSsl}={useSsl} contradicts {SecurityProtocol}={protocol}; remove {UseSsl} (it is an older alias).");
                }
            }
            else
            {
                reader.Problem(SecurityProtocol, $"'{protocol}' is not a security protocol; use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.");
            }
        }

        if (useSsl is not null)
        {
            if (!TryParseBool(useSsl, out var ssl))
            {
                reader.Problem(UseSsl, $"'{useSsl}' is not true or false.");
            }
            else if (protocol is null)
            {
                connection.SecurityProtocol = ssl ? Confluent.Kafka.SecurityProtocol.Ssl : Confluent.Kafka.SecurityProtocol.Plaintext;
            }
        }

        var ca = reader.Get(SslCaLocation);
        var caAlias = reader.Get(SslCaFile);
        if (ca is not null && caAlias is not null && !string.Equals(ca, caAlias, StringComparison.Ordinal))
        {
            reader.Problem(SslCaFile, $"{SslCaLocation} and its alias {SslCaFile} name different files; set only {SslCaLocation}.");
        }

        if ((ca ?? caAlias) is { } caFile)
        {
            connection.SslCaLocation = caFile;
            connection.SslCaLocationVariable = ca is null ? SslCaFile : SslCaLocation;
        }

        reader.String(SslCertificateFile, v => connection.SslCertificateLocation = v);
        reader.String(SslKeyFile, v => connection.SslKeyLocation = v);
        reader.String(SslKeyPassword, v => connection.SslKeyPassword = v);

        if (reader.Get(SaslMechanism) is { } mechanism)
        {
            if (TryParseSaslMechanism(mechanism, out var parsed))
            {
                connection.SaslMechanism = parsed;
            }
            else
            {
                reader.Problem(SaslMechanism, $"'{mechanism}' is not a supported SASL mechanism; use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or AWS_MSK_IAM.");
            }
        }

        reader.String(SaslUsername, v => connection.SaslUsername = v);
        reader.String(SaslPassword, v => connection.SaslPassword = v);
        reader.String(AwsRegion, v => connection.AwsRegion = v);
    }

    private static void BindProducer(KafkaProducerOptions producer, Reader reader)
    {
        if (reader.Get(ProducerAcks) is { } acks)
        {
            switch (acks.Trim().ToUpperInvariant())
            {
                case "ALL" or "-1": producer.Acks = Acks.All; break;
                case "1": producer.Acks = Acks.Leader; break;
                case "0": producer.Acks = Acks.None; break;
                default: reader.Problem(ProducerAcks, $"'{acks}' is not a valid acks value; use all, 1 or 0 (only all keeps idempotence)."); break;
            }
        }

        if (reader.Get(ProducerCompressionType) is { } compression)
        {
            if (TryParseCompression(compression, out var parsed))
            {
                producer.CompressionType = parsed;
            }
            else
            {
                reader.Problem(ProducerCompressionType, $"'{compression}' is not a compression type; use none, gzip, snappy, lz4 or zstd.");
            }
        }

        reader.Int(ProducerLingerMs, v => producer.LingerMs = v);
        reader.Int(ProducerRetryBackoffMs, v => producer.RetryBackoffMs = v);
        reader.Seconds(ProducerFlushTimeout, v => producer.FlushTimeout = v);
        reader.Seconds(ProducerCloseTimeout, v => producer.CloseTimeout = v);
    }

    private static void BindTopics(EventBusOptions options, Reader reader)
    {
        var topics = options.Topics;
        reader.Bool(TopicAutoCreate, v => topics.AutoCreate = v);
        reader.Seconds(TopicCreationTimeout, v => topics.CreationTimeout = v);
        reader.Int(TopicCreationRetries, v => topics.CreationRetries = v);
        reader.Seconds(TopicCreationRetryDelay, v => topics.CreationRetryDelay = v);

        bool IsKey(string key) => key == KafkaTopicOptions.DlqKey || reader.Get(TopicPrefix + key) is not null || topics.Topics.ContainsKey(key);
        var overrides = new List<(string Variable, string Key, string Suffix)>();
        foreach (var variable in reader.NamesStartingWith(TopicPrefix))
        {
            if (TopicSettings.Contains(variable))
            {
                continue;
            }

            var rest = variable[TopicPrefix.Length..];
            if (rest.StartsWith("CREATION_", StringComparison.Ordinal) || rest.StartsWith("AUTO_", StringComparison.Ordinal))
            {
                reader.Problem(variable, VariableSpellingCheck.UnknownTopicSettingMessage(variable));
                continue;
            }

            var suffix = Array.Find(TopicSuffixes, s => rest.EndsWith(s, StringComparison.Ordinal) && rest.Length > s.Length);
            if (suffix is not null)
            {
                overrides.Add((variable, rest[..^suffix.Length], suffix));
                continue;
            }

            if (rest.Length == 0)
            {
                continue;
            }

            if (VariableSpellingCheck.TopicKeyProblem(variable, reader.Get(variable)!, n => reader.Get(n) is not null, IsKey, options.BindingWarnings) is { } misspelt)
            {
                reader.Problem(variable, misspelt);
                continue;
            }

            reader.String(variable, name => GetOrAdd(topics, rest).Name = name.Trim());
        }

        // The service's dead-letter topic exists even when no variable names it.
        if (!topics.Topics.TryGetValue(KafkaTopicOptions.DlqKey, out var dlq) || string.IsNullOrWhiteSpace(dlq.Name))
        {
            if (!string.IsNullOrWhiteSpace(options.Connection.ServiceName))
            {
                GetOrAdd(topics, KafkaTopicOptions.DlqKey).Name = options.Connection.ServiceName.Trim() + "-dlq";
            }
        }

        foreach (var (variable, key, suffix) in overrides)
        {
            if (!topics.Topics.TryGetValue(key, out var definition) || string.IsNullOrWhiteSpace(definition.Name))
            {
                reader.Problem(variable, $"overrides topic key '{key}', but {TopicPrefix}{key} (the topic name) is not set; set it or remove {variable}."
                    + VariableSpellingCheck.OverrideHint(variable, IsKey));
                continue;
            }

            switch (suffix)
            {
                case TopicPartitionsSuffix: reader.Int(variable, v => definition.Partitions = v); break;
                case TopicReplicationSuffix: reader.Int(variable, v => definition.ReplicationFactor = v); break;
                case TopicRetentionMsSuffix: reader.Long(variable, v => definition.RetentionMs = v); break;
                case TopicMinInsyncReplicasSuffix: reader.Int(variable, v => definition.MinInsyncReplicas = v); break;
                case TopicTierSuffix:
                    var tier = reader.Get(variable)!;
                    if (TryParseTier(tier, out var parsed))
                    {
                        definition.Tier = parsed;
                    }
                    else
                    {
                        reader.Problem(variable, $"'{tier}' is not a tier; use standard, error or dlq.");
                    }

                    break;
            }
        }
    }

    private static TopicDefinition GetOrAdd(KafkaTopicOptions topics, string key)
    {
        if (!topics.Topics.TryGetValue(key, out var definition))
        {
            definition = new TopicDefinition();
            topics.Topics[key] = definition;
        }

        return definition;
    }

    internal static bool UsesSsl(Confluent.Kafka.SecurityProtocol protocol) =>
        protocol is Confluent.Kafka.SecurityProtocol.Ssl or Confluent.Kafka.SecurityProtocol.SaslSsl;

    private static bool TryParseSecurityProtocol(string value, out Confluent.Kafka.SecurityProtocol protocol)
    {
        switch (value.Trim().ToUpperInvariant())
        {
            case "PLAINTEXT": protocol = Confluent.Kafka.SecurityProtocol.Plaintext; return true;
            case "SSL": protocol = Confluent.Kafka.SecurityProtocol.Ssl; return true;
            case "SASL_PLAINTEXT": protocol = Confluent.Kafka.SecurityProtocol.SaslPlaintext; return true;
            case "SASL_SSL": protocol = Confluent.Kafka.SecurityProtocol.SaslSsl; return true;
            default: protocol = default; return false;
        }
    }

    private static bool TryParseSaslMechanism(string value, out KafkaSaslMechanism mechanism)
    {
        switch (value.Trim().ToUpperInvariant().Replace('_', '-'))
        {
            case "PLAIN": mechanism = KafkaSaslMechanism.Plain; return true;
            case "SCRAM-SHA-256": mechanism = KafkaSaslMechanism.ScramSha256; return true;
            case "SCRAM-SHA-512": mechanism = KafkaSaslMechanism.ScramSha512; return true;
            case "AWS-MSK-IAM": mechanism = KafkaSaslMechanism.AwsMskIam; return true;
            default: mechanism = default; return false;
        }
    }

    private static bool TryParseCompression(string value, out CompressionType compression)
    {
        switch (value.Trim().ToUpperInvariant())
        {
            case "NONE": compression = CompressionType.None; return true;
            case "GZIP": compression = CompressionType.Gzip; return true;
            case "SNAPPY": compression = CompressionType.Snappy; return true;
            case "LZ4": compression = CompressionType.Lz4; return true;
            case "ZSTD": compression = CompressionType.Zstd; return true;
            default: compression = default; return false;
        }
    }

    private static bool TryParseTier(string value, out TopicTier tier)
    {
        switch (value.Trim().ToUpperInvariant())
        {
            case "STANDARD": tier = TopicTier.Standard; return true;
            case "ERROR" or "ERRORS": tier = TopicTier.Error; return true;
            case "DLQ": tier = TopicTier.Dlq; return true;
            default: tier = default; return false;
        }
    }

    private static bool TryParseBool(string value, out bool result)
    {
        switch (value.Trim().ToUpperInvariant())
        {
            case "TRUE" or "1" or "YES": result = true; return true;
            case "FALSE" or "0" or "NO": result = false; return true;
            default: result = default; return false;
        }
    }

    /// <summary>Reads typed values and records the ones that cannot be read.</summary>
    private sealed class Reader
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly List<ConfigurationProblem> _problems;

        public Reader(IEnumerable<KeyValuePair<string, string?>> variables, List<ConfigurationProblem> problems)
        {
            _problems = problems;
            foreach (var (name, value) in variables)
            {
                // An empty value (KAFKA_X= in a compose file) counts as not set.
                if (!string.IsNullOrWhiteSpace(value))
                {
                    _values[name] = value;
                }
            }
        }

        public string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

        public IEnumerable<string> Names => _values.Keys;

        public IEnumerable<string> NamesStartingWith(string prefix) =>
            _values.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

        public void Problem(string variable, string message) => _problems.Add(new ConfigurationProblem(variable, message));

        public void String(string name, Action<string> apply)
        {
            if (Get(name) is { } value)
            {
                apply(value.Trim());
            }
        }

        public void Int(string name, Action<int> apply)
        {
            if (Get(name) is not { } value)
            {
                return;
            }

            if (int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            {
                apply(parsed);
            }
            else
            {
                Problem(name, $"'{value}' is not a whole number.");
            }
        }

        public void Long(string name, Action<long> apply)
        {
            if (Get(name) is not { } value)
            {
                return;
            }

            if (long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            {
                apply(parsed);
            }
            else
            {
                Problem(name, $"'{value}' is not a whole number.");
            }
        }

        public void Seconds(string name, Action<TimeSpan> apply)
        {
            if (Get(name) is not { } value)
            {
                return;
            }

            if (double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                && double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds)
            {
                apply(TimeSpan.FromSeconds(seconds));
            }
            else
            {
                Problem(name, $"'{value}' is not a number of seconds.");
            }
        }

        public void Bool(string name, Action<bool> apply)
        {
            if (Get(name) is not { } value)
            {
                return;
            }

            if (TryParseBool(value, out var parsed))
            {
                apply(parsed);
            }
            else
            {
                Problem(name, $"'{value}' is not true or false.");
            }
        }
    }
}
