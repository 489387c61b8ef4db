using EventBus.Kafka.LocalBroker;

namespace EventBus.Kafka.LocalBroker.Tests;

public sealed class LocalBrokerOptionsTests
{
    [Fact]
    public void TryParse_NoArguments_ThreeBrokersNoTopics()
    {
        Assert.True(LocalBrokerOptions.TryParse([], out var options, out _));

        Assert.Equal(3, options.Brokers);
        Assert.Empty(options.Topics);
        Assert.Null(options.EnvFile);
        Assert.False(options.Help);
    }

    [Fact]
    public void TryParse_TopicSpecs_PartitionsAndReplicationWithDefaults()
    {
        Assert.True(LocalBrokerOptions.TryParse(["--brokers", "2", "--topic", "orders:6", "-t", "payments", "--topic=audit:2:1"], out var options, out _));

        Assert.Equal(2, options.Brokers);
        Assert.Equal(
            [new LocalTopic("orders", 6, 2), new LocalTopic("payments", 3, 2), new LocalTopic("audit", 2, 1)],
            options.Topics);
    }

    [Fact]
    public void TryParse_ReplicationDefault_IsAtMostThree()
    {
        Assert.True(LocalBrokerOptions.TryParse(["--brokers=5", "--topic", "orders"], out var options, out _));

        Assert.Equal(new LocalTopic("orders", 3, 3), Assert.Single(options.Topics));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void TryParse_Help_WinsOverEverythingElse(string help)
    {
        Assert.True(LocalBrokerOptions.TryParse(["--brokers", "0", help], out var options, out _));

        Assert.True(options.Help);
    }

    [Theory]
    [InlineData(new[] { "--brokers", "0" }, "--brokers 0: give a whole number from 1 to 64")]
    [InlineData(new[] { "--brokers" }, "--brokers needs a value")]
    [InlineData(new[] { "--port", "9092" }, "unknown argument '--port'")]
    [InlineData(new[] { "--topic", "orders:0" }, "--topic orders:0: partitions '0' must be a whole number from 1 to 10000")]
    [InlineData(new[] { "--topic", "bad/name" }, "--topic bad/name: give NAME[:PARTITIONS[:REPLICATION]]")]
    [InlineData(new[] { "--topic", "a:1:2:3" }, "--topic a:1:2:3: give NAME[:PARTITIONS[:REPLICATION]]")]
    [InlineData(new[] { "--brokers", "1", "--topic", "orders:6:3" }, "--topic orders:6:3: replication 3 is more than the 1 broker(s); lower it or raise --brokers")]
    [InlineData(new[] { "--topic", "orders", "--topic", "orders:6" }, "--topic orders:6: topic 'orders' is named twice")]
    public void TryParse_BadCommandLine_SaysWhatIsWrong(string[] args, string expected)
    {
        Assert.False(LocalBrokerOptions.TryParse(args, out _, out var error));

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }
}
