using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Tests.Configuration;

/// <summary>The consumer's processing variables: bound as "set or not", validated with every other problem.</summary>
public sealed class ConsumerVariableTests
{
    [Fact]
    public void NotSet_Null_SoTheCodesValuesApply()
    {
        var consumer = EventBusOptions.FromVariables(Variables.Required()).Consumer;

        Assert.Equal((null, null, null, null, null), (consumer.MaxConcurrency, consumer.Ordering, consumer.MaxRetries, consumer.RetryBackoffMs, consumer.RetryMaxBackoffMs));
    }

    [Theory]
    [InlineData("partition", OrderingMode.Partition)]
    [InlineData("KEY", OrderingMode.Key)]
    [InlineData(" Key ", OrderingMode.Key)]
    public void Set_Bound(string ordering, OrderingMode expected)
    {
        var consumer = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_CONSUMER_MAX_CONCURRENCY", "8"), ("KAFKA_CONSUMER_ORDERING", ordering), ("KAFKA_CONSUMER_MAX_RETRIES", "0"),
            ("KAFKA_CONSUMER_RETRY_BACKOFF_MS", "50"), ("KAFKA_CONSUMER_RETRY_MAX_BACKOFF_MS", "5000"))).Consumer;

        Assert.Equal((8, expected, 0, 50, 5000), (consumer.MaxConcurrency!.Value, consumer.Ordering!.Value, consumer.MaxRetries!.Value, consumer.RetryBackoffMs!.Value, consumer.RetryMaxBackoffMs!.Value));
        Assert.Contains("MaxConcurrency=8", consumer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_EveryOneListedInOneMessage_NamingItsVariable()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_CONSUMER_MAX_CONCURRENCY", "0"), ("KAFKA_CONSUMER_ORDERING", "random"), ("KAFKA_CONSUMER_MAX_RETRIES", "-1"),
            ("KAFKA_CONSUMER_RETRY_BACKOFF_MS", "fast"), ("KAFKA_CONSUMER_RETRY_MAX_BACKOFF_MS", "-5"))));

        Assert.Equal(
            ["KAFKA_CONSUMER_MAX_CONCURRENCY", "KAFKA_CONSUMER_MAX_RETRIES", "KAFKA_CONSUMER_ORDERING", "KAFKA_CONSUMER_RETRY_BACKOFF_MS", "KAFKA_CONSUMER_RETRY_MAX_BACKOFF_MS"],
            ex.Problems.Select(p => p.Variable).Order(StringComparer.Ordinal));
        Assert.Contains("KAFKA_CONSUMER_ORDERING: 'random' is not an ordering; use partition (order per partition) or key (order per key).", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_CONSUMER_MAX_CONCURRENCY: is 0; it must be 1 or more.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_CONSUMER_RETRY_BACKOFF_MS: 'fast' is not a whole number.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxBackoffBelowFirstBackoff_BothSet_Problem()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_CONSUMER_RETRY_BACKOFF_MS", "1000"), ("KAFKA_CONSUMER_RETRY_MAX_BACKOFF_MS", "500"))));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("KAFKA_CONSUMER_RETRY_MAX_BACKOFF_MS", problem.Variable);
        Assert.Contains("below KAFKA_CONSUMER_RETRY_BACKOFF_MS (1000 ms)", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KAFKA_CONSUMER_CONCURRENCY", "KAFKA_CONSUMER_MAX_CONCURRENCY")]
    [InlineData("KAFKA_CONSUMER_MAX_CONCURENCY", "KAFKA_CONSUMER_MAX_CONCURRENCY")]
    [InlineData("KAFKA_MAX_CONCURRENCY", "KAFKA_CONSUMER_MAX_CONCURRENCY")]
    [InlineData("KAFKA_CONSUMER_ORDER", "KAFKA_CONSUMER_ORDERING")]
    [InlineData("KAFKA_CONSUMER_RETRIES", "KAFKA_CONSUMER_MAX_RETRIES")]
    [InlineData("KAFKA_CONSUMER_MAX_RETRY", "KAFKA_CONSUMER_MAX_RETRIES")]
    [InlineData("KAFKA_CONSUMER_RETRY_DELAY_MS", "KAFKA_CONSUMER_RETRY_BACKOFF_MS")]
    [InlineData("KAFKA_CONSUMER_RETRY_MAX_DELAY_MS", "KAFKA_CONSUMER_RETRY_MAX_BACKOFF_MS")]
    public void NearMiss_Warned(string variable, string suggestion)
    {
        var options = EventBusOptions.FromVariables(Variables.With((variable, "4")));

        var warning = Assert.Single(options.ConfigurationWarnings);
        Assert.Equal(suggestion, warning.SuggestedVariable);
    }
}
