using System.Globalization;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using Microsoft.Extensions.Configuration;

namespace EventBus.Kafka.Hosting.Configuration;

/// <summary>
/// Binds the <c>EventBus</c> configuration section onto <see cref="EventBusOptions"/> by explicit key, without
/// reflection (trimming and native AOT safe, no ConfigurationBinder): the keys are the property paths, as the
/// ConfigurationBinder would read them (<c>EventBus:Producer:LingerMs</c>, <c>EventBus__Producer__LingerMs</c> as a
/// variable). Every value that cannot be read is a problem naming its key; keys EventBus does not know are listed.
/// </summary>
/// <remarks>
/// Values follow IConfiguration's conventions: enum names (<c>SaslSsl</c>; the variable spellings <c>SASL_SSL</c>,
/// <c>SCRAM-SHA-512</c> work too), <c>true</c>/<c>false</c>, and TimeSpans as <c>hh:mm:ss</c> (a bare number is refused:
/// the binder would read <c>5</c> as five days). An empty value counts as not set, as with the variables.
/// </remarks>
internal static class EventBusSectionBinder
{
    private delegate void Setter(EventBusOptions options, string value, Problems problems);

    private static readonly Dictionary<string, Setter> Settings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Connection:BootstrapServers"] = Text((o, v) => o.Connection.BootstrapServers = v),
        ["Connection:ServiceName"] = Text((o, v) => o.Connection.ServiceName = v),
        ["Connection:SecurityProtocol"] = Enum<SecurityProtocol>((o, v) => o.Connection.SecurityProtocol = v),
        ["Connection:SslCaLocation"] = Text((o, v) => o.Connection.SslCaLocation = v),
        ["Connection:SslCertificateLocation"] = Text((o, v) => o.Connection.SslCertificateLocation = v),
        ["Connection:SslKeyLocation"] = Text((o, v) => o.Connection.SslKeyLocation = v),
        ["Connection:SslKeyPassword"] = Text((o, v) => o.Connection.SslKeyPassword = v),
        ["Connection:SaslMechanism"] = Enum<KafkaSaslMechanism>((o, v) => o.Connection.SaslMechanism = v),
        ["Connection:SaslUsername"] = Text((o, v) => o.Connection.SaslUsername = v),
        ["Connection:SaslPassword"] = Text((o, v) => o.Connection.SaslPassword = v),
        ["Connection:AwsRegion"] = Text((o, v) => o.Connection.AwsRegion = v),

        ["Producer:Acks"] = Enum<Acks>((o, v) => o.Producer.Acks = v),
        ["Producer:EnableIdempotence"] = Bool((o, v) => o.Producer.EnableIdempotence = v),
        ["Producer:CompressionType"] = Enum<CompressionType>((o, v) => o.Producer.CompressionType = v),
        ["Producer:LingerMs"] = Int((o, v) => o.Producer.LingerMs = v),
        ["Producer:RetryBackoffMs"] = Int((o, v) => o.Producer.RetryBackoffMs = v),
        ["Producer:FlushTimeout"] = Time((o, v) => o.Producer.FlushTimeout = v),
        ["Producer:CloseTimeout"] = Time((o, v) => o.Producer.CloseTimeout = v),

        ["Consumer:GroupId"] = Text((o, v) => o.Consumer.GroupId = v),
        ["Consumer:AutoOffsetReset"] = Enum<AutoOffsetReset>((o, v) => o.Consumer.AutoOffsetReset = v),
        ["Consumer:EnableAutoCommit"] = Bool((o, v) => o.Consumer.EnableAutoCommit = v),
        ["Consumer:MaxPollRecords"] = Int((o, v) => o.Consumer.MaxPollRecords = v),
        ["Consumer:MaxPollIntervalMs"] = Int((o, v) => o.Consumer.MaxPollIntervalMs = v),
        ["Consumer:SessionTimeoutMs"] = Int((o, v) => o.Consumer.SessionTimeoutMs = v),
        ["Consumer:HeartbeatIntervalMs"] = Int((o, v) => o.Consumer.HeartbeatIntervalMs = v),
        ["Consumer:FetchMinBytes"] = Int((o, v) => o.Consumer.FetchMinBytes = v),
        ["Consumer:FetchWaitMaxMs"] = Int((o, v) => o.Consumer.FetchWaitMaxMs = v),
        ["Consumer:MaxConcurrency"] = Int((o, v) => o.Consumer.MaxConcurrency = v),
        ["Consumer:Ordering"] = Enum<OrderingMode>((o, v) => o.Consumer.Ordering = v),
        ["Consumer:MaxRetries"] = Int((o, v) => o.Consumer.MaxRetries = v),
        ["Consumer:RetryBackoffMs"] = Int((o, v) => o.Consumer.RetryBackoffMs = v),
        ["Consumer:RetryMaxBackoffMs"] = Int((o, v) => o.Consumer.RetryMaxBackoffMs = v),
        ["Consumer:ExactlyOnce"] = Bool((o, v) => o.Consumer.ExactlyOnce = v),
        ["Consumer:TransactionIntervalMs"] = Int((o, v) => o.Consumer.TransactionIntervalMs = v),
        ["Consumer:TransactionMaxRecords"] = Int((o, v) => o.Consumer.TransactionMaxRecords = v),
        ["Consumer:StatisticsIntervalMs"] = Int((o, v) => o.Consumer.StatisticsIntervalMs = v),

        ["Topics:AutoCreate"] = Bool((o, v) => o.Topics.AutoCreate = v),
        ["Topics:CreationTimeout"] = Time((o, v) => o.Topics.CreationTimeout = v),
        ["Topics:CreationRetries"] = Int((o, v) => o.Topics.CreationRetries = v),
        ["Topics:CreationRetryDelay"] = Time((o, v) => o.Topics.CreationRetryDelay = v),
    };

    private static readonly Dictionary<string, Action<TopicDefinition, string, Problems>> TopicSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Name"] = (d, v, _) => d.Name = v.Trim(),
        ["Tier"] = (d, v, p) => ParseEnum<TopicTier>(v, p, t => d.Tier = t),
        ["Partitions"] = (d, v, p) => ParseInt(v, p, n => d.Partitions = n),
        ["ReplicationFactor"] = (d, v, p) => ParseInt(v, p, n => d.ReplicationFactor = n),
        ["RetentionMs"] = (d, v, p) => ParseLong(v, p, n => d.RetentionMs = n),
        ["MinInsyncReplicas"] = (d, v, p) => ParseInt(v, p, n => d.MinInsyncReplicas = n),
    };

    private static readonly Dictionary<string, Action<TopicTierSettings, string, Problems>> TierSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Partitions"] = (s, v, p) => ParseInt(v, p, n => s.Partitions = n),
        ["ReplicationFactor"] = (s, v, p) => ParseInt(v, p, n => s.ReplicationFactor = n),
        ["RetentionMs"] = (s, v, p) => ParseLong(v, p, n => s.RetentionMs = n),
        ["MinInsyncReplicas"] = (s, v, p) => ParseInt(v, p, n => s.MinInsyncReplicas = n),
        ["CompressionType"] = (s, v, p) => ParseEnum<CompressionType>(v, p, c => s.CompressionType = c),
    };

    /// <summary>Gets every key this binder reads, relative to the section, with <c>*</c> for a name the user picks.</summary>
    internal static IEnumerable<string> KnownKeys =>
        Settings.Keys
            .Concat(["Connection:AdditionalProperties:*", "Producer:AdditionalProperties:*", "Consumer:AdditionalProperties:*"])
            .Concat(TopicSettings.Keys.Select(k => "Topics:Topics:*:" + k))
            .Concat(TierSettings.Keys.Select(k => "Topics:Tiers:*:" + k));

    /// <summary>Applies the section's values onto <paramref name="options"/>.</summary>
    /// <param name="section">The <c>EventBus</c> section.</param>
    /// <param name="options">The options to change.</param>
    /// <param name="problems">Receives a problem per value that cannot be read.</param>
    /// <param name="unknownKeys">Receives the full path of every key EventBus does not read.</param>
    public static void Bind(IConfigurationSection section, EventBusOptions options, List<ConfigurationProblem> problems, List<string> unknownKeys)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (relativeKey, value) in section.AsEnumerable(makePathsRelative: true).OrderBy(e => e.Key, StringComparer.OrdinalIgnoreCase))
        {
            // Sections (no value of their own) and empty values are not settings.
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            var path = section.Path + ConfigurationPath.KeyDelimiter + relativeKey;
            var report = new Problems(problems, path);
            if (Settings.TryGetValue(relativeKey, out var setter))
            {
                setter(options, value, report);
            }
            else if (!TryBindDynamic(relativeKey.Split(ConfigurationPath.KeyDelimiter), options, value, report))
            {
                unknownKeys.Add(path);
            }
        }
    }

    private static bool TryBindDynamic(string[] parts, EventBusOptions options, string value, Problems problems)
    {
        if (parts.Length >= 3 && Is(parts[1], "AdditionalProperties"))
        {
            // librdkafka names have dots, never colons; anything after the prefix is the property name.
            var name = string.Join(ConfigurationPath.KeyDelimiter, parts.Skip(2));
            IDictionary<string, string>? target = parts[0] switch
            {
                _ when Is(parts[0], "Connection") => options.Connection.AdditionalProperties,
                _ when Is(parts[0], "Producer") => options.Producer.AdditionalProperties,
                _ when Is(parts[0], "Consumer") => options.Consumer.AdditionalProperties,
                _ => null,
            };
            if (target is null)
            {
                return false;
            }

            target[name] = value;
            return true;
        }

        if (parts.Length == 4 && Is(parts[0], "Topics") && Is(parts[1], "Topics") && TopicSettings.TryGetValue(parts[3], out var topicSetter))
        {
            if (!options.Topics.Topics.TryGetValue(parts[2], out var definition))
            {
                definition = new TopicDefinition();
                options.Topics.Topics[parts[2]] = definition;
            }

            topicSetter(definition, value, problems);
            return true;
        }

        if (parts.Length == 4 && Is(parts[0], "Topics") && Is(parts[1], "Tiers") && TierSettings.TryGetValue(parts[3], out var tierSetter))
        {
            TopicTier? tier = null;
            ParseEnum<TopicTier>(parts[2], new Problems(problems.List, problems.Path), t => tier = t, what: "tier");
            if (tier is { } known)
            {
                if (!options.Topics.Tiers.TryGetValue(known, out var settings))
                {
                    settings = TopicTierSettings.CreateDefault(known);
                    options.Topics.Tiers[known] = settings;
                }

                tierSetter(settings, value, problems);
            }

            return true;
        }

        return false;
    }

    private static bool Is(string part, string name) => string.Equals(part, name, StringComparison.OrdinalIgnoreCase);

    private static Setter Text(Action<EventBusOptions, string> apply) => (o, v, _) => apply(o, v.Trim());

    private static Setter Int(Action<EventBusOptions, int> apply) => (o, v, p) => ParseInt(v, p, n => apply(o, n));

    private static Setter Bool(Action<EventBusOptions, bool> apply) => (o, v, p) =>
    {
        if (bool.TryParse(v.Trim(), out var parsed))
        {
            apply(o, parsed);
        }
        else
        {
            p.Add($"'{v}' is not true or false.");
        }
    };

    private static Setter Time(Action<EventBusOptions, TimeSpan> apply) => (o, v, p) =>
    {
        var text = v.Trim();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bare))
        {
            p.Add($"'{v}' has no unit; write a TimeSpan such as 00:00:{Math.Clamp(bare, 0, 59):00} (hh:mm:ss): a bare number would be read as days.");
        }
        else if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed))
        {
            apply(o, parsed);
        }
        else
        {
            p.Add($"'{v}' is not a TimeSpan; write hh:mm:ss, e.g. 00:00:05 for five seconds.");
        }
    };

    private static Setter Enum<TEnum>(Action<EventBusOptions, TEnum> apply)
        where TEnum : struct, Enum => (o, v, p) => ParseEnum<TEnum>(v, p, e => apply(o, e));

    private static void ParseInt(string value, Problems problems, Action<int> apply)
    {
        if (int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            apply(parsed);
        }
        else
        {
            problems.Add($"'{value}' is not a whole number.");
        }
    }

    private static void ParseLong(string value, Problems problems, Action<long> apply)
    {
        if (long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            apply(parsed);
        }
        else
        {
            problems.Add($"'{value}' is not a whole number.");
        }
    }

    private static void ParseEnum<TEnum>(string value, Problems problems, Action<TEnum> apply, string what = "value")
        where TEnum : struct, Enum
    {
        var text = value.Trim();

        // The enum's own name (SaslSsl), or the variable's spelling (SASL_SSL, SCRAM-SHA-512); numbers only when defined.
        if ((System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var parsed)
             || System.Enum.TryParse(text.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out parsed))
            && System.Enum.IsDefined(parsed))
        {
            apply(parsed);
        }
        else
        {
            problems.Add($"'{value}' is not a {what} EventBus knows; use one of {string.Join(", ", System.Enum.GetNames<TEnum>())}.");
        }
    }

    /// <summary>Adds problems named by one configuration key.</summary>
    private readonly record struct Problems(List<ConfigurationProblem> List, string Path)
    {
        public void Add(string message) => List.Add(new ConfigurationProblem(Path, message));
    }
}
