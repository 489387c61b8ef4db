using System.Reflection;
using EventBus.Kafka.Configuration;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Tests.Configuration;

/// <summary>Issue 14: unknown <c>KAFKA_*</c> variables that are near misses of known ones are warned about, never with a value.</summary>
public sealed class UnknownVariableWarningTests
{
    // (unknown variable as set, the variable EventBus reads that it resembles).
    public static TheoryData<string, string> NearMisses => new()
    {
        { "KAFKA_BOOTSTRAP_SERVER", "KAFKA_BOOTSTRAP_SERVERS" },
        { "KAFKA_BOOTSTRAPSERVERS", "KAFKA_BOOTSTRAP_SERVERS" },
        { "KAFKA_BROKERS", "KAFKA_BOOTSTRAP_SERVERS" },
        { "kafka_bootstrap_servers", "KAFKA_BOOTSTRAP_SERVERS" },
        { "KAFKA_CONSUMER_GROUP_ID", "KAFKA_CONSUMER_GROUP" },
        { "KAFKA_GROUP_ID", "KAFKA_CONSUMER_GROUP" },
        { "KAFKA_GROUP", "KAFKA_CONSUMER_GROUP" },
        { "KAFKA_PRODUCER_ACK", "KAFKA_PRODUCER_ACKS" },
        { "KAFKA_ACKS", "KAFKA_PRODUCER_ACKS" },
        { "KAFKA_SASL_MECHANISMS", "KAFKA_SASL_MECHANISM" },
        { "KAFKA_SASL_USER", "KAFKA_SASL_USERNAME" },
        { "KAFKA_SASL_PASWORD", "KAFKA_SASL_PASSWORD" },
        { "KAFKA_SSL_KEY_PASSWORD", "KAFKA_SSL_PASSWORD" },
        { "KAFKA_SSL_CERT_FILE", "KAFKA_SSL_CERTFILE" },
        { "KAFKA_SSL_CA_LOCATION", "SSL_CA_LOCATION" },
        { "KAFKA_SERVICE_NAME", "SERVICE_NAME" },
        { "KAFKA_SECURITY_PROTOCAL", "KAFKA_SECURITY_PROTOCOL" },
        { "KAFKA_COMPRESSION_TYPE", "KAFKA_PRODUCER_COMPRESSION_TYPE" },
        { "KAFKA_PRODUCER_LINGER", "KAFKA_PRODUCER_LINGER_MS" },
        { "KAFKA_CONSUMER_MAX_POLL_RECORD", "KAFKA_CONSUMER_MAX_POLL_RECORDS" },
        { "KAFKA_CONSUMER_SESSION_TIMEOUT", "KAFKA_CONSUMER_SESSION_TIMEOUT_MS" },
        { "KAFKA_CONSUMER_AUTO_COMMIT", "KAFKA_CONSUMER_ENABLE_AUTO_COMMIT" },
        { "KAFKA_TOPICS_ORDERS", "KAFKA_TOPIC_ORDERS" },
    };

    // Variables other software sets, or EventBus names that are not near misses: never warned about.
    public static TheoryData<string> NotNearMisses => new()
    {
        "KAFKA_HEAP_OPTS",
        "KAFKA_OPTS",
        "KAFKA_HOME",
        "KAFKA_VERSION",
        "KAFKA_BROKER_HEAP",
        "KAFKA_BROKER_ID",
        "KAFKA_ADVERTISED_LISTENERS",
        "EVENTBUS_TEST_BOOTSTRAP_SERVERS",
        "BOOTSTRAP_SERVERS",
        "PATH",
    };

    [Theory]
    [MemberData(nameof(NearMisses))]
    public void UnknownVariable_NearMissOfKnownOne_Warned_NotAnError(string variable, string suggestion)
    {
        var options = EventBusOptions.FromVariables(Variables.With((variable, "x")));

        var warning = Assert.Single(options.ConfigurationWarnings);
        Assert.Equal(variable, warning.Variable);
        Assert.Equal(suggestion, warning.SuggestedVariable);
        Assert.Contains($"did you mean {suggestion}", warning.Message, StringComparison.Ordinal);
        Assert.Contains("ignored", warning.Message, StringComparison.Ordinal);
        Assert.Equal($"{variable}: {warning.Message}", warning.ToString());
    }

    [Theory]
    [MemberData(nameof(NotNearMisses))]
    public void OtherVariable_NotWarned(string variable)
    {
        var options = EventBusOptions.FromVariables(Variables.With((variable, "x")));

        Assert.Empty(options.ConfigurationWarnings);
    }

    [Fact]
    public void EveryVariableOfTheContract_NotWarned()
    {
        using var ca = new TempFile();
        var variables = Variables.With(
            ("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"), ("KAFKA_USE_SSL", "true"), ("SSL_CA_LOCATION", ca.Path), ("KAFKA_SSL_CAFILE", ca.Path),
            ("KAFKA_SASL_MECHANISM", "PLAIN"), ("KAFKA_SASL_USERNAME", "u"), ("KAFKA_SASL_PASSWORD", "p"), ("KAFKA_SSL_PASSWORD", "k"),
            ("AWS_REGION", "eu-west-1"), ("KAFKA_TOPIC_AUTO_CREATE", "true"), ("KAFKA_TOPIC_CREATION_TIMEOUT", "30"),
            ("KAFKA_TOPIC_CREATION_RETRIES", "3"), ("KAFKA_TOPIC_CREATION_RETRY_DELAY", "2"), ("KAFKA_PRODUCER_ACKS", "all"),
            ("KAFKA_PRODUCER_COMPRESSION_TYPE", "lz4"), ("KAFKA_PRODUCER_LINGER_MS", "5"), ("KAFKA_PRODUCER_RETRY_BACKOFF_MS", "100"),
            ("KAFKA_PRODUCER_FLUSH_TIMEOUT", "5"), ("KAFKA_PRODUCER_CLOSE_TIMEOUT", "10"), ("KAFKA_CONSUMER_GROUP", "g"),
            ("KAFKA_CONSUMER_AUTO_OFFSET_RESET", "latest"), ("KAFKA_CONSUMER_ENABLE_AUTO_COMMIT", "false"), ("KAFKA_CONSUMER_MAX_POLL_RECORDS", "500"),
            ("KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "1800000"), ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "45000"),
            ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "15000"), ("KAFKA_CONSUMER_FETCH_MIN_BYTES", "1"), ("KAFKA_CONSUMER_FETCH_WAIT_MAX_MS", "500"),
            ("KAFKA_CONSUMER_MAX_CONCURRENCY", "4"), ("KAFKA_CONSUMER_ORDERING", "key"), ("KAFKA_CONSUMER_MAX_RETRIES", "3"),
            ("KAFKA_CONSUMER_RETRY_BACKOFF_MS", "200"), ("KAFKA_CONSUMER_RETRY_MAX_BACKOFF_MS", "30000"),
            ("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_TOPIC_ORDERS_PARTITIONS", "6"), ("KAFKA_TOPIC_ORDERS_REPLICATION", "3"),
            ("KAFKA_TOPIC_ORDERS_TIER", "standard"), ("KAFKA_TOPIC_ORDERS_RETENTION_MS", "1000"), ("KAFKA_TOPIC_ORDERS_MIN_INSYNC_REPLICAS", "2"));

        var options = EventBusOptions.FromVariables(variables);

        Assert.Empty(options.ConfigurationWarnings);
    }

    [Fact]
    public void KnownVariables_ListEveryNameOfEventBusEnvironmentVariables()
    {
        var names = typeof(EventBusEnvironmentVariables).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(n => !n.StartsWith('_') && n != EventBusEnvironmentVariables.TopicPrefix);

        Assert.Equal(names.Order(StringComparer.Ordinal), VariableSpellingCheck.KnownVariables.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Warnings_NeverShowAValue_EvenOfSecretLookingVariables()
    {
        const string Secret = "Pa55-w0rd-secret";
        var options = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_SASL_PASWORD", Secret), ("KAFKA_SSL_KEY_PASSWORD", Secret), ("KAFKA_SASL_USER", Secret),
            ("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_TOPIC_ORDERS_TEIR", Secret)));

        Assert.Equal(4, options.ConfigurationWarnings.Count);
        Assert.All(options.ConfigurationWarnings, w => Assert.DoesNotContain(Secret, w.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Errors_NeverShowAValue_ThatIsNotANumberBooleanOrTier()
    {
        const string Secret = "Pa55-w0rd!secret";
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_TOPIC_CREATION_TOKEN", Secret), ("KAFKA_TOPIC_AUTO_SECRET", Secret))));

        Assert.Equal(2, ex.Problems.Count);
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigurationWarnings_AreReadOnly()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_BOOTSTRAP_SERVER", "x")));

        var asCollection = Assert.IsAssignableFrom<ICollection<ConfigurationWarning>>(options.ConfigurationWarnings);
        Assert.True(asCollection.IsReadOnly);
        Assert.Throws<NotSupportedException>(asCollection.Clear);
    }

    [Fact]
    public void Bind_Twice_WarnsOnce()
    {
        var options = new EventBusOptions();
        var variables = Variables.With(("KAFKA_BOOTSTRAP_SERVER", "x"));

        EnvironmentVariableBinder.Bind(options, variables);
        EnvironmentVariableBinder.Bind(options, variables);

        Assert.Single(options.ConfigurationWarnings);
    }

    [Fact]
    public void WarningsOnce_LogsEachWarningOnce_AtWarningLevel_WithoutValues()
    {
        const string Secret = "Pa55-w0rd!secret";
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_SASL_PASWORD", Secret), ("KAFKA_PRODUCER_ACK", "all")));
        using var logs = new LogCapture();
        var logger = logs.CreateLogger("EventBus.Kafka");

        ConfigurationLog.WarningsOnce(logger, options);
        ConfigurationLog.WarningsOnce(logger, options);

        Assert.Equal(2, logs.Entries.Count);
        Assert.All(logs.Entries, e => Assert.Equal((LogLevel.Warning, 4000, "ConfigurationVariableMisspelt"), (e.Level, e.EventId.Id, e.EventId.Name)));
        Assert.Contains(logs.Entries, e => e.Message.Contains("KAFKA_SASL_PASWORD is not an EventBus variable", StringComparison.Ordinal)
            && e.Message.Contains("did you mean KAFKA_SASL_PASSWORD?", StringComparison.Ordinal));
        Assert.All(logs.Entries, e => Assert.DoesNotContain(Secret, e.ToString(), StringComparison.Ordinal));
    }
}
