using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.Tests.Configuration;

public sealed class TopicVariableTests
{
    [Fact]
    public void TopicKey_WithUnderscores_NamesTopic()
    {
        var options = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_TOPIC_STAGE_COMPLETE", "stage.complete"), ("KAFKA_TOPIC_REQUESTS", "requests"), ("KAFKA_TOPIC_RESPONSES", "responses")));

        Assert.True(options.Topics.TryGetTopicName("STAGE_COMPLETE", out var name));
        Assert.Equal("stage.complete", name);
        Assert.True(options.Topics.TryGetTopicName("stage-complete", out _));
        Assert.True(options.Topics.TryGetTopicName("requests", out var requests));
        Assert.Equal("requests", requests);
        Assert.False(options.Topics.TryGetTopicName("UNKNOWN", out _));
    }

    [Fact]
    public void ReservedWordsAndSuffixes_AreSettings_NotTopicKeys()
    {
        var options = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_TOPIC_AUTO_CREATE", "false"),
            ("KAFKA_TOPIC_CREATION_TIMEOUT", "10"),
            ("KAFKA_TOPIC_CREATION_RETRIES", "1"),
            ("KAFKA_TOPIC_CREATION_RETRY_DELAY", "3"),
            ("KAFKA_TOPIC_ORDERS", "orders"),
            ("KAFKA_TOPIC_ORDERS_PARTITIONS", "12"),
            ("KAFKA_TOPIC_ORDERS_REPLICATION", "2"),
            ("KAFKA_TOPIC_ORDERS_TIER", "error"),
            ("KAFKA_TOPIC_ORDERS_RETENTION_MS", "3600000"),
            ("KAFKA_TOPIC_ORDERS_MIN_INSYNC_REPLICAS", "2")));

        Assert.Equal(["DLQ", "ORDERS"], options.Topics.Topics.Keys.Order(StringComparer.Ordinal).ToArray());
        var orders = options.Topics.GetResolvedTopics().Single(s => s.Key == "ORDERS");
        Assert.Equal(new ResolvedTopic("ORDERS", "orders", TopicTier.Error, 12, 2, 3_600_000, 2, Confluent.Kafka.CompressionType.Snappy), orders);
        Assert.False(options.Topics.AutoCreate);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Topics.CreationTimeout);
        Assert.Equal(1, options.Topics.CreationRetries);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Topics.CreationRetryDelay);
    }

    [Fact]
    public void Tiers_FromKey_WithSeedDefaults()
    {
        var options = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_TOPIC_STAGE_COMPLETE", "stage-complete"), ("KAFKA_TOPIC_ERRORS", "orders-errors")));

        var specs = options.Topics.GetResolvedTopics().ToDictionary(s => s.Key);
        Assert.Equal(new ResolvedTopic("STAGE_COMPLETE", "stage-complete", TopicTier.Standard, 3, 3, 604_800_000, 2, Confluent.Kafka.CompressionType.Snappy), specs["STAGE_COMPLETE"]);
        Assert.Equal(new ResolvedTopic("ERRORS", "orders-errors", TopicTier.Error, 1, 3, 2_592_000_000, 1, Confluent.Kafka.CompressionType.Snappy), specs["ERRORS"]);
        Assert.Equal(new ResolvedTopic("DLQ", "orders-dlq", TopicTier.Dlq, 1, 3, 2_592_000_000, 1, Confluent.Kafka.CompressionType.Snappy), specs["DLQ"]);
    }

    [Fact]
    public void Dlq_DefaultsToServiceName_AndCanBeOverridden()
    {
        Assert.True(EventBusOptions.FromVariables(Variables.Required()).Topics.TryGetTopicName("DLQ", out var byDefault));
        Assert.Equal("orders-dlq", byDefault);

        Assert.True(EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_DLQ", "shared-dlq"))).Topics.TryGetTopicName("DLQ", out var overridden));
        Assert.Equal("shared-dlq", overridden);
    }

    [Fact]
    public void DlqOverrides_ApplyToTheDefaultDlqName()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_DLQ_REPLICATION", "2"), ("KAFKA_TOPIC_DLQ_PARTITIONS", "4")));

        var dlq = options.Topics.GetResolvedTopics().Single(t => t.Key == "DLQ");
        Assert.Equal(("orders-dlq", 4, 2), (dlq.Name, dlq.Partitions, dlq.ReplicationFactor));
    }

    [Fact]
    public void Override_WithoutTopicName_NamesBothVariables()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() =>
            EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_PAYMENTS_PARTITIONS", "6"))));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("KAFKA_TOPIC_PAYMENTS_PARTITIONS", problem.Variable);
        Assert.Contains("KAFKA_TOPIC_PAYMENTS", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCreationSetting_Rejected()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() =>
            EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_CREATION_TIMEOUT_MS", "100"))));

        Assert.Equal("KAFKA_TOPIC_CREATION_TIMEOUT_MS", Assert.Single(ex.Problems).Variable);
    }

    [Theory]
    [InlineData("orders events")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("orders/v1")]
    public void InvalidTopicName_NamesTopicVariable(string name)
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_ORDERS", name))));

        Assert.Equal("KAFKA_TOPIC_ORDERS", Assert.Single(ex.Problems).Variable);
    }

    [Fact]
    public void TopicName_Of249Characters_Accepted_250Rejected()
    {
        Assert.True(EventBusOptionsValidator.IsValidTopicName(new string('a', 249)));
        Assert.False(EventBusOptionsValidator.IsValidTopicName(new string('a', 250)));
        Assert.True(EventBusOptionsValidator.IsValidTopicName("a.b_c-D9"));
    }

    [Fact]
    public void MinInsyncAboveReplication_PerTopicOverride_Contradiction()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_TOPIC_ORDERS_REPLICATION", "3"), ("KAFKA_TOPIC_ORDERS_MIN_INSYNC_REPLICAS", "4"))));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("KAFKA_TOPIC_ORDERS_MIN_INSYNC_REPLICAS", problem.Variable);
        Assert.Contains("KAFKA_TOPIC_ORDERS_REPLICATION", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplicationLoweredBelowTierMinInsync_BlamesReplication()
    {
        // Standard tier: min ISR 2. Lowering replication to 1 alone contradicts it.
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_TOPIC_ORDERS_REPLICATION", "1"))));

        Assert.Equal("KAFKA_TOPIC_ORDERS_REPLICATION", Assert.Single(ex.Problems).Variable);
    }

    [Fact]
    public void TierOverrideInCode_Contradiction_Reported()
    {
        var options = new EventBusOptions();
        EnvironmentVariableBinder.Bind(options, Variables.Required());
        options.Topics.Tiers[TopicTier.Dlq].MinInsyncReplicas = 5;

        var problems = EventBusOptionsValidator.Collect(options, EventBusClientKinds.Producer);

        Assert.Contains(problems, p => p.Variable == "EventBus:Topics:Tiers:Dlq" && p.Message.Contains("min.insync.replicas", StringComparison.Ordinal));
    }

    [Fact]
    public void RetentionMinusOne_MeansForever_Accepted()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_AUDIT", "audit"), ("KAFKA_TOPIC_AUDIT_RETENTION_MS", "-1")));

        Assert.Equal(-1, options.Topics.GetResolvedTopics().Single(s => s.Key == "AUDIT").RetentionMs);
    }
}
