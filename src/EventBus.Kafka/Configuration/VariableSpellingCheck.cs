using static EventBus.Kafka.Configuration.EventBusEnvironmentVariables;

namespace EventBus.Kafka.Configuration;

/// <summary>
/// Finds variables that are probably misspelt (the rule is the README's, Configuration, "Misspelt variables"):
/// a <c>KAFKA_TOPIC_*</c> topic key that looks like a setting is an error when its value reads as that setting's
/// value or is a number, else at most a warning; an unknown <c>KAFKA_*</c> name close to a known one is a warning.
/// </summary>
/// <remarks>
/// A name is close to a setting when, compared without underscores, it is the same, a listed alias, or within an
/// edit distance (insertions, deletions, substitutions, adjacent swaps) of 1 for names of up to 5 letters and 2 for
/// longer ones, beginning with the same letter and having at most one word more or fewer. Messages show a value only
/// when it is a number, a boolean or a tier word, never free text that could be a secret.
/// </remarks>
internal static class VariableSpellingCheck
{
    private const int NoMatch = int.MaxValue;
    private const string KafkaPrefix = "KAFKA_";

    /// <summary>Every variable name EventBus reads (the topic keys aside).</summary>
    internal static readonly string[] KnownVariables =
    [
        BootstrapServers, ServiceName, SecurityProtocol, UseSsl, SslCaLocation, SslCaFile, SslCertificateFile, SslKeyFile,
        SslKeyPassword, SaslMechanism, SaslUsername, SaslPassword, AwsRegion,
        TopicAutoCreate, TopicCreationTimeout, TopicCreationRetries, TopicCreationRetryDelay,
        ProducerAcks, ProducerCompressionType, ProducerLingerMs, ProducerRetryBackoffMs, ProducerFlushTimeout, ProducerCloseTimeout,
        ConsumerGroup, ConsumerAutoOffsetReset, ConsumerEnableAutoCommit, ConsumerMaxPollRecords, ConsumerMaxPollIntervalMs,
        ConsumerSessionTimeoutMs, ConsumerHeartbeatIntervalMs, ConsumerFetchMinBytes, ConsumerFetchWaitMaxMs,
        ConsumerMaxConcurrency, ConsumerOrdering, ConsumerMaxRetries, ConsumerRetryBackoffMs, ConsumerRetryMaxBackoffMs,
        ConsumerExactlyOnce, ConsumerTransactionIntervalMs, ConsumerTransactionMaxRecords,
        ConsumerStatisticsIntervalMs,
    ];

    /// <summary>Names other clients and habits use for a variable EventBus reads (compared without underscores).</summary>
    private static readonly (string Alias, string Variable)[] VariableAliases =
    [
        ("KAFKA_BROKERS", BootstrapServers), ("KAFKA_BROKER_LIST", BootstrapServers), ("KAFKA_BOOTSTRAP", BootstrapServers),
        ("KAFKA_GROUP_ID", ConsumerGroup), ("KAFKA_CONSUMER_GROUP_ID", ConsumerGroup),
        ("KAFKA_PROTOCOL", SecurityProtocol), ("KAFKA_SSL_CA", SslCaLocation),
        ("KAFKA_SSL_CERT", SslCertificateFile), ("KAFKA_SSL_CERTIFICATE", SslCertificateFile), ("KAFKA_SSL_KEY", SslKeyFile),
        ("KAFKA_SSL_KEY_PASSWORD", SslKeyPassword), ("KAFKA_SSL_KEY_PASS", SslKeyPassword),
        ("KAFKA_SASL_USER", SaslUsername), ("KAFKA_SASL_PASS", SaslPassword),
        ("KAFKA_PRODUCER_COMPRESSION", ProducerCompressionType), ("KAFKA_PRODUCER_COMPRESSION_CODEC", ProducerCompressionType),
        ("KAFKA_CONSUMER_OFFSET_RESET", ConsumerAutoOffsetReset), ("KAFKA_CONSUMER_AUTO_COMMIT", ConsumerEnableAutoCommit),
        ("KAFKA_CONSUMER_CONCURRENCY", ConsumerMaxConcurrency), ("KAFKA_CONSUMER_ORDER", ConsumerOrdering),
        ("KAFKA_CONSUMER_ORDERING_MODE", ConsumerOrdering), ("KAFKA_CONSUMER_RETRIES", ConsumerMaxRetries),
        ("KAFKA_CONSUMER_RETRY_COUNT", ConsumerMaxRetries), ("KAFKA_CONSUMER_MAX_RETRY", ConsumerMaxRetries),
        ("KAFKA_CONSUMER_RETRY_DELAY_MS", ConsumerRetryBackoffMs), ("KAFKA_CONSUMER_RETRY_BASE_DELAY_MS", ConsumerRetryBackoffMs),
        ("KAFKA_CONSUMER_RETRY_MAX_DELAY_MS", ConsumerRetryMaxBackoffMs),
    ];

    /// <summary>The per-topic settings: <c>KAFKA_TOPIC_{KEY}_{Words}</c>.</summary>
    private static readonly Setting[] PerTopicSettings =
    [
        new("PARTITIONS", ValueKind.Number, "", "PARTITION_COUNT", "PARTITIONS_COUNT", "NUM_PARTITIONS"),
        new("REPLICATION", ValueKind.Number, "", "REPLICAS", "REPLICATION_FACTOR", "REPLICA_COUNT", "RF"),
        new("TIER", ValueKind.Tier, ""),
        new("RETENTION_MS", ValueKind.Number, " (in milliseconds)",
            "RETENTION", "RETENTION_TIME", "RETENTION_TIME_MS", "RETENTION_MILLIS", "RETENTION_SECONDS", "RETENTION_HOURS", "RETENTION_DAYS"),
        new("MIN_INSYNC_REPLICAS", ValueKind.Number, "", "MIN_ISR", "ISR", "MIN_INSYNC", "INSYNC_REPLICAS", "MINIMUM_INSYNC_REPLICAS"),
    ];

    /// <summary>The reserved settings: <c>KAFKA_TOPIC_{Words}</c>. A longer name that begins with one also matches it.</summary>
    private static readonly Setting[] ReservedSettings =
    [
        new("AUTO_CREATE", ValueKind.Boolean, "", "AUTO_CREATION", "CREATE_TOPICS"),
        new("CREATION_TIMEOUT", ValueKind.Number, " (in seconds)", "CREATE_TIMEOUT"),
        new("CREATION_RETRIES", ValueKind.Number, "", "CREATION_RETRY", "CREATE_RETRIES", "CREATION_MAX_RETRIES", "CREATION_RETRY_COUNT", "CREATION_ATTEMPTS"),
        new("CREATION_RETRY_DELAY", ValueKind.Number, " (in seconds)",
            "CREATION_DELAY", "CREATION_BACKOFF", "CREATION_RETRY_BACKOFF", "CREATION_RETRY_INTERVAL", "CREATION_RETRIES_DELAY", "CREATE_RETRY_DELAY"),
    ];

    private static readonly HashSet<string> Known = new(KnownVariables, StringComparer.Ordinal);

    private enum ValueKind
    {
        Number,
        Boolean,
        Tier,
    }

    /// <summary>
    /// Checks a <c>KAFKA_TOPIC_{KEY}</c> variable that is about to be read as a topic key. Returns the error when the
    /// key looks like a misspelt setting and the value reads as that setting's value, or when the topic name is a
    /// number; adds a warning when the key looks like a setting but the value is a plausible topic name and the key
    /// is either close to a reserved setting or names a configured key plus a near miss of a suffix.
    /// </summary>
    /// <param name="variable">The variable, starting with <c>KAFKA_TOPIC_</c>.</param>
    /// <param name="value">Its value (not empty).</param>
    /// <param name="isSet">Whether a variable is set.</param>
    /// <param name="isKeyConfigured">Whether a topic key has a topic name.</param>
    /// <param name="warnings">Where a warning goes.</param>
    /// <returns>The problem's message, or <see langword="null"/> when the variable is read as a topic key.</returns>
    internal static string? TopicKeyProblem(
        string variable, string value, Func<string, bool> isSet, Func<string, bool> isKeyConfigured, List<ConfigurationWarning> warnings)
    {
        var rest = variable[TopicPrefix.Length..];
        var number = IsNumber(value);
        var match = NearestReserved(rest) ?? NearestPerTopic(rest, isKeyConfigured);
        if (match is not { } m)
        {
            return number
                ? $"names the topic '{value.Trim()}', which is only a number: this looks like a misspelt setting (per topic: "
                  + $"{TopicPrefix}{{KEY}}{TopicPartitionsSuffix}, {TopicReplicationSuffix}, {TopicTierSuffix}, {TopicRetentionMsSuffix}, "
                  + $"{TopicMinInsyncReplicasSuffix}; for all topics: {TopicAutoCreate}, {TopicCreationTimeout}, {TopicCreationRetries}, "
                  + $"{TopicCreationRetryDelay}). Correct the variable's name, or give the topic a name that is not only digits."
                : null;
        }

        if (number || Fits(value, m.Setting.Kind))
        {
            var message = $"looks like a misspelt setting; did you mean {m.Variable}{m.Setting.Unit}? As written it makes '{value.Trim()}' "
                + $"the topic of a key {rest}. Rename the variable.";
            if (m.Key is { } key && !isKeyConfigured(key))
            {
                message += $" {TopicPrefix}{key} (the topic name) must be set too.";
            }

            return isSet(m.Variable) ? message + $" {m.Variable} is set as well, so remove this one instead." : message;
        }

        if (m.Key is null || isKeyConfigured(m.Key))
        {
            Add(warnings, new ConfigurationWarning(variable, m.Variable,
                $"is read as the topic of key {rest}, but looks like a misspelling of {m.Variable}; if you meant that setting, rename the variable."));
        }

        return null;
    }

    /// <summary>The message for a <c>KAFKA_TOPIC_AUTO_*</c> or <c>KAFKA_TOPIC_CREATION_*</c> name that is not a setting.</summary>
    /// <param name="variable">The variable.</param>
    /// <returns>The message, with the nearest setting when there is one.</returns>
    internal static string UnknownTopicSettingMessage(string variable)
    {
        var settings = $"settings are {TopicAutoCreate}, {TopicCreationTimeout}, {TopicCreationRetries} and {TopicCreationRetryDelay}.";
        return NearestReserved(variable[TopicPrefix.Length..]) is { } m
            ? $"unknown topic setting; did you mean {m.Variable}{m.Setting.Unit}? The " + settings
            : "unknown topic setting; the " + settings;
    }

    /// <summary>A hint for an override whose key has no topic name: the override of a configured key it may have meant.</summary>
    /// <param name="variable">The override, e.g. <c>KAFKA_TOPIC_ORDERS_NUM_PARTITIONS</c>.</param>
    /// <param name="isKeyConfigured">Whether a topic key has a topic name.</param>
    /// <returns><c>" Did you mean …?"</c>, or empty.</returns>
    internal static string OverrideHint(string variable, Func<string, bool> isKeyConfigured) =>
        NearestPerTopic(variable[TopicPrefix.Length..], isKeyConfigured) is { Key: { } key } m && isKeyConfigured(key) && m.Variable != variable
            ? $" Did you mean {m.Variable}?"
            : string.Empty;

    /// <summary>Adds a warning for each unknown <c>KAFKA_*</c> name (any case) close to a variable EventBus reads.</summary>
    /// <param name="names">The names of the variables that are set; their values are never looked at.</param>
    /// <param name="warnings">Where the warnings go.</param>
    internal static void WarnUnknownVariables(IEnumerable<string> names, List<ConfigurationWarning> warnings)
    {
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            var upper = name.ToUpperInvariant();
            if (!upper.StartsWith(KafkaPrefix, StringComparison.Ordinal) || Known.Contains(name) || name.StartsWith(TopicPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (NearestVariable(name, upper) is { } suggestion)
            {
                var why = suggestion == upper ? " (names are case-sensitive)" : string.Empty;
                Add(warnings, new ConfigurationWarning(name, suggestion, $"is not an EventBus variable and is ignored; did you mean {suggestion}{why}?"));
            }
        }
    }

    private static string? NearestVariable(string name, string upper)
    {
        if (upper != name && (Known.Contains(upper) || upper.StartsWith(TopicPrefix, StringComparison.Ordinal)))
        {
            return upper;
        }

        var compact = Compact(upper);
        foreach (var (alias, variable) in VariableAliases)
        {
            if (Compact(alias) == compact)
            {
                return variable;
            }
        }

        var words = upper[KafkaPrefix.Length..];
        if (upper.StartsWith("KAFKA_TOPICS_", StringComparison.Ordinal))
        {
            return TopicPrefix + upper["KAFKA_TOPICS_".Length..];
        }

        foreach (var candidate in new[] { words, KafkaPrefix + "PRODUCER_" + words, KafkaPrefix + "CONSUMER_" + words })
        {
            if (Known.Contains(candidate))
            {
                return candidate;
            }
        }

        string? best = null;
        var bestDistance = NoMatch;
        foreach (var known in KnownVariables)
        {
            var distance = Distance(compact, Compact(known), 2);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (known, distance);
            }
        }

        return best;
    }

    private static Match? NearestReserved(string rest)
    {
        Match? best = null;
        var bestScore = NoMatch;
        foreach (var setting in ReservedSettings)
        {
            var score = Score(rest, setting, allowLonger: true);
            if (score < bestScore)
            {
                (best, bestScore) = (new Match(setting, null, TopicPrefix + setting.Words), score);
            }
        }

        return best;
    }

    /// <summary>
    /// The nearest per-topic setting for <c>{KEY}_{tail}</c>, trying every split that leaves a key and a tail of up to
    /// four words: a configured key first, then the longer tail (the shorter key), then the closer match.
    /// </summary>
    private static Match? NearestPerTopic(string rest, Func<string, bool> isKeyConfigured)
    {
        var words = rest.Split('_');
        Match? best = null;
        var bestRank = (Configured: 1, Tail: 0, Score: NoMatch);
        for (var split = Math.Max(1, words.Length - 4); split < words.Length; split++)
        {
            var key = string.Join('_', words[..split]);
            var tail = string.Join('_', words[split..]);
            if (Compact(key).Length == 0)
            {
                continue;
            }

            foreach (var setting in PerTopicSettings)
            {
                var score = Score(tail, setting, allowLonger: false);
                var rank = (Configured: isKeyConfigured(key) ? 0 : 1, Tail: split - words.Length, Score: score);
                if (score != NoMatch && rank.CompareTo(bestRank) < 0)
                {
                    (best, bestRank) = (new Match(setting, key, $"{TopicPrefix}{key}_{setting.Words}"), rank);
                }
            }
        }

        return best;
    }

    /// <summary>0 for the same letters or an alias, 1 for a longer name that begins with the setting, else the edit distance.</summary>
    private static int Score(string candidate, Setting setting, bool allowLonger)
    {
        var c = Compact(candidate);
        var s = setting.Compact;
        if (c.Length == 0)
        {
            return NoMatch;
        }

        if (c == s || Array.Exists(setting.Aliases, a => Compact(a) == c))
        {
            return 0;
        }

        if (allowLonger && c.StartsWith(s, StringComparison.Ordinal))
        {
            return 1;
        }

        var wordsApart = Math.Abs(candidate.Split('_', StringSplitOptions.RemoveEmptyEntries).Length - setting.Words.Split('_').Length);
        return c[0] == s[0] && wordsApart <= 1 ? Distance(c, s, s.Length <= 5 ? 1 : 2) : NoMatch;
    }

    /// <summary>Optimal string alignment distance, or <see cref="NoMatch"/> when it is above <paramref name="limit"/>.</summary>
    private static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
        {
            return NoMatch;
        }

        var beforePrevious = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, beforePrevious[j - 2] + 1);
                }

                current[j] = value;
            }

            (beforePrevious, previous, current) = (previous, current, beforePrevious);
        }

        return previous[b.Length] <= limit ? previous[b.Length] : NoMatch;
    }

    private static bool Fits(string value, ValueKind kind) => kind switch
    {
        ValueKind.Boolean => value.Trim().ToUpperInvariant() is "TRUE" or "FALSE" or "YES" or "NO",
        ValueKind.Tier => value.Trim().ToUpperInvariant() is "STANDARD" or "ERROR" or "ERRORS" or "DLQ",
        _ => false,
    };

    /// <summary>Digits, optionally after a '-' and with one decimal point: <c>6</c>, <c>-1</c>, <c>2.5</c>.</summary>
    private static bool IsNumber(string value)
    {
        var text = value.Trim().AsSpan();
        if (text.Length > 0 && text[0] == '-')
        {
            text = text[1..];
        }

        var point = text.IndexOf('.');
        return point < 0 ? IsDigits(text) : IsDigits(text[..point]) && IsDigits(text[(point + 1)..]);
    }

    private static bool IsDigits(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');

    private static string Compact(string name) => name.Replace("_", string.Empty, StringComparison.Ordinal);

    private static void Add(List<ConfigurationWarning> warnings, ConfigurationWarning warning)
    {
        if (!warnings.Contains(warning))
        {
            warnings.Add(warning);
        }
    }

    /// <summary>A setting a misspelt name may have meant.</summary>
    /// <param name="Words">The suffix without its leading '_' (<c>PARTITIONS</c>), or the name after <c>KAFKA_TOPIC_</c> (<c>AUTO_CREATE</c>).</param>
    /// <param name="Kind">The values it takes, besides numbers.</param>
    /// <param name="Unit">Shown after the suggestion, e.g. " (in seconds)".</param>
    /// <param name="Aliases">Other names people give it.</param>
    private sealed record Setting(string Words, ValueKind Kind, string Unit, params string[] Aliases)
    {
        public string Compact { get; } = VariableSpellingCheck.Compact(Words);
    }

    /// <summary>The setting a name resembles, the topic key it belongs to (per-topic settings) and the variable to use.</summary>
    private readonly record struct Match(Setting Setting, string? Key, string Variable);
}
