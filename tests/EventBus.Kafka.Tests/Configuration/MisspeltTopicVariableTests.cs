using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.Tests.Configuration;

/// <summary>Issue 14: a <c>KAFKA_TOPIC_*</c> name that looks like a misspelt setting is an error that suggests the right name.</summary>
public sealed class MisspeltTopicVariableTests
{
    // (misspelt variable, a value of the setting it resembles, the variable it should have been).
    public static TheoryData<string, string, string> PerTopicMisspellings => new()
    {
        { "KAFKA_TOPIC_ORDERS_PARTITION", "6", "KAFKA_TOPIC_ORDERS_PARTITIONS" },
        { "KAFKA_TOPIC_ORDERS_PARTITONS", "6", "KAFKA_TOPIC_ORDERS_PARTITIONS" },
        { "KAFKA_TOPIC_ORDERS_PARTITION_COUNT", "6", "KAFKA_TOPIC_ORDERS_PARTITIONS" },
        { "KAFKA_TOPIC_STAGE_COMPLETE_PARTITION", "6", "KAFKA_TOPIC_STAGE_COMPLETE_PARTITIONS" },
        { "KAFKA_TOPIC_ORDERS_REPLICAS", "3", "KAFKA_TOPIC_ORDERS_REPLICATION" },
        { "KAFKA_TOPIC_ORDERS_REPLICATION_FACTOR", "3", "KAFKA_TOPIC_ORDERS_REPLICATION" },
        { "KAFKA_TOPIC_ORDERS_REPLICATON", "3", "KAFKA_TOPIC_ORDERS_REPLICATION" },
        { "KAFKA_TOPIC_ORDERS_RF", "3", "KAFKA_TOPIC_ORDERS_REPLICATION" },
        { "KAFKA_TOPIC_ORDERS_TEIR", "error", "KAFKA_TOPIC_ORDERS_TIER" },
        { "KAFKA_TOPIC_ORDERS_TIERS", "dlq", "KAFKA_TOPIC_ORDERS_TIER" },
        { "KAFKA_TOPIC_ORDERS_TIRE", "Standard", "KAFKA_TOPIC_ORDERS_TIER" },
        { "KAFKA_TOPIC_ORDERS_RETENTION", "1000", "KAFKA_TOPIC_ORDERS_RETENTION_MS" },
        { "KAFKA_TOPIC_ORDERS_RETENTION_S", "1000", "KAFKA_TOPIC_ORDERS_RETENTION_MS" },
        { "KAFKA_TOPIC_ORDERS_RETENTIONMS", "1000", "KAFKA_TOPIC_ORDERS_RETENTION_MS" },
        { "KAFKA_TOPIC_ORDERS_RETENTION_DAYS", "7", "KAFKA_TOPIC_ORDERS_RETENTION_MS" },
        { "KAFKA_TOPIC_ORDERS_RETENTION", "-1", "KAFKA_TOPIC_ORDERS_RETENTION_MS" },
        { "KAFKA_TOPIC_ORDERS_MIN_ISR", "2", "KAFKA_TOPIC_ORDERS_MIN_INSYNC_REPLICAS" },
        { "KAFKA_TOPIC_ORDERS_MININSYNC_REPLICAS", "2", "KAFKA_TOPIC_ORDERS_MIN_INSYNC_REPLICAS" },
        { "KAFKA_TOPIC_ORDERS_MIN_IN_SYNC_REPLICAS", "2", "KAFKA_TOPIC_ORDERS_MIN_INSYNC_REPLICAS" },
        { "KAFKA_TOPIC_ORDERS_MIN_INSYNC_REPLICA", "2", "KAFKA_TOPIC_ORDERS_MIN_INSYNC_REPLICAS" },
        { "KAFKA_TOPIC_ORDERS_INSYNC_REPLICAS", "2", "KAFKA_TOPIC_ORDERS_MIN_INSYNC_REPLICAS" },
    };

    // (misspelt variable, a value of the setting it resembles, the setting it should have been).
    public static TheoryData<string, string, string> ReservedMisspellings => new()
    {
        { "KAFKA_TOPIC_AUTOCREATE", "false", "KAFKA_TOPIC_AUTO_CREATE" },
        { "KAFKA_TOPIC_AUTO_CREATION", "true", "KAFKA_TOPIC_AUTO_CREATE" },
        { "KAFKA_TOPIC_AUTO_CRAETE", "no", "KAFKA_TOPIC_AUTO_CREATE" },
        { "KAFKA_TOPIC_AUTO_CREATE_TOPICS", "true", "KAFKA_TOPIC_AUTO_CREATE" },
        { "KAFKA_TOPIC_AUTOCREATE_TOPICS", "yes", "KAFKA_TOPIC_AUTO_CREATE" },
        { "KAFKA_TOPIC_CREATION_TIMEOUT_S", "30", "KAFKA_TOPIC_CREATION_TIMEOUT" },
        { "KAFKA_TOPIC_CREATION_TIMEOUT_MS", "30000", "KAFKA_TOPIC_CREATION_TIMEOUT" },
        { "KAFKA_TOPIC_CREATIONTIMEOUT", "30", "KAFKA_TOPIC_CREATION_TIMEOUT" },
        { "KAFKA_TOPIC_CREATE_TIMEOUT", "30", "KAFKA_TOPIC_CREATION_TIMEOUT" },
        { "KAFKA_TOPIC_CREATION_TIMOUT", "30", "KAFKA_TOPIC_CREATION_TIMEOUT" },
        { "KAFKA_TOPIC_CREATION_RETRY", "3", "KAFKA_TOPIC_CREATION_RETRIES" },
        { "KAFKA_TOPIC_CREATION_MAX_RETRIES", "3", "KAFKA_TOPIC_CREATION_RETRIES" },
        { "KAFKA_TOPIC_CREATION_RETRYS", "3", "KAFKA_TOPIC_CREATION_RETRIES" },
        { "KAFKA_TOPIC_CREATION_RETRY_DELAY_MS", "2000", "KAFKA_TOPIC_CREATION_RETRY_DELAY" },
        { "KAFKA_TOPIC_CREATION_RETRIES_DELAY", "2", "KAFKA_TOPIC_CREATION_RETRY_DELAY" },
        { "KAFKA_TOPIC_CREATION_DELAY", "2.5", "KAFKA_TOPIC_CREATION_RETRY_DELAY" },
        { "KAFKA_TOPIC_CREATION_RETRY_BACKOFF", "2", "KAFKA_TOPIC_CREATION_RETRY_DELAY" },
    };

    // Topic keys that merely contain a setting's word, each with a plausible topic name: never flagged.
    public static TheoryData<string> LegitimateKeys => new()
    {
        "KAFKA_TOPIC_PARTITION_EVENTS",
        "KAFKA_TOPIC_TIERED_ORDERS",
        "KAFKA_TOPIC_TIER_CHANGES",
        "KAFKA_TOPIC_REPLICATION_EVENTS",
        "KAFKA_TOPIC_RETENTION_POLICIES",
        "KAFKA_TOPIC_ISR_CHANGES",
        "KAFKA_TOPIC_DATA_RETENTION",
        "KAFKA_TOPIC_PRICE_TIERS",
        "KAFKA_TOPIC_EVENTS_BY_PARTITION",
        "KAFKA_TOPIC_ORDERS_RETRY",
        "KAFKA_TOPIC_ORDERS_V2",
        "KAFKA_TOPIC_ORDERS_REPLAY",
        "KAFKA_TOPIC_CREATED_ORDERS",
        "KAFKA_TOPIC_AUTOMATION",
        "KAFKA_TOPIC_CREATE",
        "KAFKA_TOPIC_STAGE_COMPLETE",
        "KAFKA_TOPIC_REQUESTS",
        "KAFKA_TOPIC_RESPONSES",
        "KAFKA_TOPIC_ERRORS",
        "KAFKA_TOPIC_DLQ",
    };

    [Theory]
    [MemberData(nameof(PerTopicMisspellings))]
    public void PerTopicSuffix_NearMiss_ErrorNamesVariableAndSuggestion(string variable, string value, string suggestion)
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() =>
            EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_TOPIC_STAGE_COMPLETE", "stage"), (variable, value))));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal(variable, problem.Variable);
        Assert.Contains($"did you mean {suggestion}", problem.Message, StringComparison.Ordinal);
        Assert.Contains($"{variable}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(suggestion, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ReservedMisspellings))]
    public void ReservedSetting_NearMiss_ErrorNamesVariableAndSuggestion(string variable, string value, string suggestion)
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With((variable, value))));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal(variable, problem.Variable);
        Assert.Contains($"did you mean {suggestion}", problem.Message, StringComparison.Ordinal);
        Assert.Contains(suggestion, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_NearMiss_SaysTheUnit()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_TOPIC_ORDERS_RETENTION_HOURS", "24"), ("KAFKA_TOPIC_CREATION_TIMEOUT_MS", "30000"))));

        Assert.Contains("KAFKA_TOPIC_ORDERS_RETENTION_MS (in milliseconds)", ex.Problems.Single(p => p.Variable == "KAFKA_TOPIC_ORDERS_RETENTION_HOURS").Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_TOPIC_CREATION_TIMEOUT (in seconds)", ex.Problems.Single(p => p.Variable == "KAFKA_TOPIC_CREATION_TIMEOUT_MS").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NearMiss_KeyWithoutTopicName_SaysToSetItToo()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() =>
            EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_ORDERS_PARTITION", "6"))));

        var problem = Assert.Single(ex.Problems);
        Assert.Contains("did you mean KAFKA_TOPIC_ORDERS_PARTITIONS?", problem.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_TOPIC_ORDERS (the topic name) must be set too", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NearMiss_BesideTheRightVariable_SaysToRemoveIt()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_TOPIC_ORDERS_PARTITIONS", "6"), ("KAFKA_TOPIC_ORDERS_PARTITION", "6"))));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("KAFKA_TOPIC_ORDERS_PARTITION", problem.Variable);
        Assert.Contains("KAFKA_TOPIC_ORDERS_PARTITIONS is set as well, so remove this one", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Override_OfUnsetKey_ThatIsANearMissOfAConfiguredKey_Suggests()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_TOPIC_ORDERS_NUM_PARTITIONS", "6"))));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("KAFKA_TOPIC_ORDERS_NUM_PARTITIONS", problem.Variable);
        Assert.Contains("KAFKA_TOPIC_ORDERS_NUM (the topic name) is not set", problem.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean KAFKA_TOPIC_ORDERS_PARTITIONS?", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KAFKA_TOPIC_ORDERS", "6")]
    [InlineData("KAFKA_TOPIC_ORDERS", "1000")]
    [InlineData("KAFKA_TOPIC_ORDERS", "-1")]
    [InlineData("KAFKA_TOPIC_ORDERS", "2.5")]
    [InlineData("KAFKA_TOPIC_ORDERS_NUMPARTS", "6")]
    [InlineData("KAFKA_TOPIC_PARTITIONS", "6")]
    public void TopicName_OnlyDigits_ReportedAsLikelyMisspeltSetting(string variable, string value)
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With((variable, value))));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal(variable, problem.Variable);
        Assert.Contains("only a number", problem.Message, StringComparison.Ordinal);
        Assert.Contains("misspelt setting", problem.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_TOPIC_{KEY}_PARTITIONS", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orders-2024")]
    [InlineData("2024.orders")]
    [InlineData("v1")]
    [InlineData("1-2")]
    public void TopicName_WithDigitsAndMore_Accepted(string name)
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_ORDERS", name)));

        Assert.Equal(name, options.Topics.GetTopicName("ORDERS"));
        Assert.Empty(options.ConfigurationWarnings);
    }

    [Fact]
    public void TopicName_OnlyDigits_SetInCode_Accepted()
    {
        var options = new EventBusOptions();
        EnvironmentVariableBinder.Bind(options, Variables.Required());
        options.Topics.Topics["ORDERS"] = new TopicDefinition { Name = "2024" };

        Assert.Empty(EventBusOptionsValidator.Collect(options, EventBusClientKinds.Producer));
    }

    [Theory]
    [MemberData(nameof(LegitimateKeys))]
    public void LegitimateKey_ResemblingASettingWord_NotFlagged(string variable)
    {
        var name = variable["KAFKA_TOPIC_".Length..].ToLowerInvariant().Replace('_', '-');

        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_ORDERS", "orders"), (variable, name)));

        Assert.Equal(name, options.Topics.GetTopicName(variable["KAFKA_TOPIC_".Length..]));
        Assert.Empty(options.ConfigurationWarnings);
    }

    [Fact]
    public void NearMiss_WithATopicNameValue_BesideItsKey_IsAWarning_AndReadAsWritten()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_TOPIC_ORDERS_TEIR", "gold")));

        var warning = Assert.Single(options.ConfigurationWarnings);
        Assert.Equal(("KAFKA_TOPIC_ORDERS_TEIR", "KAFKA_TOPIC_ORDERS_TIER"), (warning.Variable, warning.SuggestedVariable));
        Assert.Contains("misspelling of KAFKA_TOPIC_ORDERS_TIER", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("gold", warning.ToString(), StringComparison.Ordinal);
        Assert.Equal("gold", options.Topics.GetTopicName("ORDERS_TEIR"));
    }

    [Fact]
    public void NearMiss_WithATopicNameValue_WithoutItsKey_NotFlagged()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_ORDERS_TEIR", "gold")));

        Assert.Empty(options.ConfigurationWarnings);
    }

    [Fact]
    public void ReservedNearMiss_WithATopicNameValue_IsAWarning()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_AUTOCREATE", "auto-create-audit")));

        var warning = Assert.Single(options.ConfigurationWarnings);
        Assert.Equal(("KAFKA_TOPIC_AUTOCREATE", "KAFKA_TOPIC_AUTO_CREATE"), (warning.Variable, warning.SuggestedVariable));
    }

    [Fact]
    public void Misspellings_ListedWithEveryOtherProblem_InOneException()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(new Dictionary<string, string?>
        {
            ["SERVICE_NAME"] = "orders",
            ["KAFKA_PRODUCER_ACKS"] = "1",
            ["KAFKA_TOPIC_ORDERS"] = "orders",
            ["KAFKA_TOPIC_ORDERS_PARTITION"] = "6",
            ["KAFKA_TOPIC_ORDERS_RETENTION"] = "1000",
            ["KAFKA_TOPIC_AUTOCREATE"] = "false",
            ["KAFKA_TOPIC_CREATION_RETRY"] = "3",
        }));

        Assert.Equal(
            ["KAFKA_BOOTSTRAP_SERVERS", "KAFKA_PRODUCER_ACKS", "KAFKA_TOPIC_AUTOCREATE", "KAFKA_TOPIC_CREATION_RETRY", "KAFKA_TOPIC_ORDERS_PARTITION", "KAFKA_TOPIC_ORDERS_RETENTION"],
            ex.Problems.Select(p => p.Variable).Order(StringComparer.Ordinal).ToArray());
        Assert.StartsWith("The EventBus configuration has 6 problems", ex.Message, StringComparison.Ordinal);
        foreach (var suggestion in new[] { "KAFKA_TOPIC_ORDERS_PARTITIONS", "KAFKA_TOPIC_ORDERS_RETENTION_MS", "KAFKA_TOPIC_AUTO_CREATE", "KAFKA_TOPIC_CREATION_RETRIES" })
        {
            Assert.Contains($"did you mean {suggestion}", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void UnknownTopicSetting_WithNothingClose_ListsTheSettings_AndNeverTheValue()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() =>
            EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_CREATION_PASSWORD", "hunter2-secret"))));

        var problem = Assert.Single(ex.Problems);
        Assert.Contains("the settings are KAFKA_TOPIC_AUTO_CREATE", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.ToString(), StringComparison.Ordinal);
    }
}
