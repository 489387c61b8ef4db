using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;
using EventBus.Kafka.Tools;

namespace EventBus.Kafka.IntegrationTests.Topics;

public sealed class TopicsCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Plan_AgainstMockClusterFromEnvironmentVariables_PrintsThePlan()
    {
        await using var cluster = new MockKafkaCluster(3);
        cluster.CreateTopic("billing.invoices", 1, 3);
        var variables = new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = cluster.BootstrapServers,
            ["SERVICE_NAME"] = "billing",
            ["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT",
            ["KAFKA_TOPIC_INVOICES"] = "billing.invoices",
            ["KAFKA_TOPIC_ERRORS"] = "billing.errors",
            ["KAFKA_TOPIC_CREATION_TIMEOUT"] = "5",
        };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await TopicsCommand.RunAsync(["plan", "--fail-on-drift"], variables, stdout, stderr, TestContext.Current.CancellationToken);

        output.WriteLine(stdout.ToString());
        Assert.Equal(TopicsCommand.Drift, exit); // billing.invoices has 1 partition, the standard tier wants 3
        Assert.StartsWith("plan: 3 required, 2 to create, 1 existing", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("create billing.errors", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("create billing-dlq", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("drift billing.invoices: partitions is 1, expected 3", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, stderr.ToString());
    }

    [Fact]
    public async Task BadConfiguration_ExitCode78_NamesTheVariable()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await TopicsCommand.RunAsync(["verify"], new Dictionary<string, string?> { ["SERVICE_NAME"] = "x" }, stdout, stderr, TestContext.Current.CancellationToken);

        Assert.Equal(TopicsCommand.ConfigurationError, exit);
        Assert.Contains("KAFKA_BOOTSTRAP_SERVERS", stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("delete")]
    [InlineData("plan", "--reconcile")]
    [InlineData("apply", "--force")]
    public async Task BadCommandLine_Usage(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(TopicsCommand.Usage, await TopicsCommand.RunAsync(args, [], stdout, stderr, TestContext.Current.CancellationToken));
        Assert.Contains("usage: eventbus-topics", stderr.ToString(), StringComparison.Ordinal);
    }
}
