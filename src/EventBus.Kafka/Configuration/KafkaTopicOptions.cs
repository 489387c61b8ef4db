namespace EventBus.Kafka.Configuration;

/// <summary>Logical topics (<c>KAFKA_TOPIC_{KEY}</c>), their tiers and the provisioning settings.</summary>
public sealed class KafkaTopicOptions
{
    /// <summary>The key of the dead-letter topic; it defaults to <c>{SERVICE_NAME}-dlq</c>.</summary>
    public const string DlqKey = "DLQ";

    /// <summary>The key of the error-event topic.</summary>
    public const string ErrorsKey = "ERRORS";

    /// <summary>
    /// Gets the logical topics by key. Keys are matched without regard to case, <c>-</c> or <c>.</c>
    /// (<c>stage-complete</c> is <c>STAGE_COMPLETE</c>).
    /// </summary>
    public IDictionary<string, TopicDefinition> Topics { get; } = new Dictionary<string, TopicDefinition>(TopicKeyComparer.Instance);

    /// <summary>Gets the settings of each tier; change them to override a tier for every topic in it.</summary>
    public IDictionary<TopicTier, TopicTierSettings> Tiers { get; } = new Dictionary<TopicTier, TopicTierSettings>
    {
        [TopicTier.Standard] = TopicTierSettings.CreateDefault(TopicTier.Standard),
        [TopicTier.Error] = TopicTierSettings.CreateDefault(TopicTier.Error),
        [TopicTier.Dlq] = TopicTierSettings.CreateDefault(TopicTier.Dlq),
    };

    /// <summary>Gets or sets a value indicating whether missing topics are provisioned at start-up (<c>KAFKA_TOPIC_AUTO_CREATE</c>).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AutoCreate { get; set; } = true;

    /// <summary>Gets or sets the timeout of one admin operation (<c>KAFKA_TOPIC_CREATION_TIMEOUT</c>, seconds).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan CreationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many times a retriable admin failure is retried (<c>KAFKA_TOPIC_CREATION_RETRIES</c>).</summary>
    /// <value>The default value is 3.</value>
    public int CreationRetries { get; set; } = 3;

    /// <summary>Gets or sets the delay between admin retries (<c>KAFKA_TOPIC_CREATION_RETRY_DELAY</c>, seconds).</summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan CreationRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Resolves a logical key to its configured topic name.</summary>
    /// <param name="topicKey">A key such as <c>STAGE_COMPLETE</c>.</param>
    /// <param name="topicName">The topic name when found.</param>
    /// <returns><see langword="true"/> when the key is configured.</returns>
    public bool TryGetTopicName(string topicKey, out string topicName)
    {
        ArgumentNullException.ThrowIfNull(topicKey);
        if (Topics.TryGetValue(topicKey, out var definition) && !string.IsNullOrWhiteSpace(definition.Name))
        {
            topicName = definition.Name;
            return true;
        }

        topicName = string.Empty;
        return false;
    }

    /// <summary>Resolves a logical key to its configured topic name, or fails naming the variable to set.</summary>
    /// <param name="topicKey">A key such as <c>STAGE_COMPLETE</c>.</param>
    /// <returns>The topic name.</returns>
    /// <exception cref="EventBusConfigurationException">The key is not configured; the message names <c>KAFKA_TOPIC_{KEY}</c>.</exception>
    public string GetTopicName(string topicKey)
    {
        if (TryGetTopicName(topicKey, out var topic))
        {
            return topic;
        }

        var variable = EventBusEnvironmentVariables.ForTopic(topicKey);
        throw new EventBusConfigurationException([new ConfigurationProblem(variable, $"topic key '{topicKey}' is not configured; set {variable} to the topic name.")]);
    }

    /// <summary>Gets every configured topic with its tier defaults filled in.</summary>
    /// <returns>One specification per topic with a name, ordered by key.</returns>
    public IReadOnlyList<ResolvedTopic> GetResolvedTopics()
    {
        var result = new List<ResolvedTopic>(Topics.Count);
        foreach (var (key, definition) in Topics.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(definition.Name))
            {
                continue;
            }

            var normalizedKey = EventBusEnvironmentVariables.NormalizeTopicKey(key);
            var tier = definition.Tier ?? DefaultTierOf(normalizedKey);
            var tierSettings = Tiers.TryGetValue(tier, out var t) ? t : TopicTierSettings.CreateDefault(tier);
            result.Add(new ResolvedTopic(
                normalizedKey,
                definition.Name,
                tier,
                definition.Partitions ?? tierSettings.Partitions,
                definition.ReplicationFactor ?? tierSettings.ReplicationFactor,
                definition.RetentionMs ?? tierSettings.RetentionMs,
                definition.MinInsyncReplicas ?? tierSettings.MinInsyncReplicas,
                tierSettings.CompressionType));
        }

        return result;
    }

    /// <summary>Gets the tier a key has when no <c>_TIER</c> override is set.</summary>
    /// <param name="topicKey">The logical key.</param>
    /// <returns><see cref="TopicTier.Error"/> for ERRORS, <see cref="TopicTier.Dlq"/> for DLQ, else <see cref="TopicTier.Standard"/>.</returns>
    public static TopicTier DefaultTierOf(string topicKey)
    {
        ArgumentNullException.ThrowIfNull(topicKey);
        return EventBusEnvironmentVariables.NormalizeTopicKey(topicKey) switch
        {
            ErrorsKey => TopicTier.Error,
            DlqKey => TopicTier.Dlq,
            _ => TopicTier.Standard,
        };
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"AutoCreate={AutoCreate}, CreationTimeout={CreationTimeout}, CreationRetries={CreationRetries}, CreationRetryDelay={CreationRetryDelay}, " +
        $"Topics={{{string.Join(", ", Topics.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value.Name))}}}";

    private sealed class TopicKeyComparer : IEqualityComparer<string>
    {
        public static readonly TopicKeyComparer Instance = new();

        public bool Equals(string? x, string? y) =>
            x is null || y is null ? x == y : EventBusEnvironmentVariables.NormalizeTopicKey(x) == EventBusEnvironmentVariables.NormalizeTopicKey(y);

        public int GetHashCode(string obj) => StringComparer.Ordinal.GetHashCode(EventBusEnvironmentVariables.NormalizeTopicKey(obj));
    }
}
