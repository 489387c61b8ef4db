using EventBus.Kafka.Hosting.Tests.Infrastructure;

namespace EventBus.Kafka.Hosting.Tests;

/// <summary>
/// The exit code of a service process (tests/EventBus.Kafka.Hosting.TestHost, a worker with one hosted consumer) is
/// what an orchestrator sees: a faulted consumer or a failed start ends it non-zero; SIGTERM drains, commits and
/// ends it with 0.
/// </summary>
public sealed class ProcessExitTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task FaultedConsumer_ProcessExitsWithOne_AndLogsWhy()
    {
        await using var cluster = TestCluster.Start();
        await PublishAsync(cluster, 1);

        using var host = TestHostProcess.Start(cluster.Variables(("TESTHOST_MODE", "dead-letter-disposed")), output);
        var exitCode = await host.WaitForExitAsync(Timeout);

        Assert.Equal(1, exitCode);
        Assert.Contains(host.Lines, l => l.Contains("[7011]", StringComparison.Ordinal) && l.Contains("consumer 1 (ORDERS) faulted; stopping the application with exit code 1", StringComparison.Ordinal));
        Assert.Contains("WithDeadLetterProducer", host.Output, StringComparison.Ordinal);   // the reason: the dead-letter producer was disposed
        Assert.All(cluster.Committed().Values, offset => Assert.True(offset < 0, "the record that could not be dead-lettered must not be committed"));
    }

    [Fact]
    public async Task Sigterm_ConsumerDrainsAndCommits_ProcessExitsWithZero()
    {
        await using var cluster = TestCluster.Start();
        var published = await PublishAsync(cluster, 12);

        using var host = TestHostProcess.Start(cluster.Variables(), output);
        await Wait.UntilAsync(() => host.Lines.Count(l => l.StartsWith("handled ", StringComparison.Ordinal)) >= published.Count, Timeout, "the test host to handle every record");
        host.Terminate();
        var exitCode = await host.WaitForExitAsync(Timeout);

        Assert.Equal(0, exitCode);
        Assert.Contains(host.Lines, l => l.Contains("[7014]", StringComparison.Ordinal) && l.Contains("12 processed", StringComparison.Ordinal));
        Assert.Contains(host.Lines, l => l.Contains("[7020]", StringComparison.Ordinal));   // the producer closed after the consumer
        var committed = cluster.Committed();
        foreach (var partition in published.GroupBy(p => p.Partition))
        {
            Assert.Equal(partition.Max(p => p.Offset) + 1, committed[partition.Key]);
        }
    }

    [Fact]
    public async Task FatalProvisioningError_ProcessExitsNonZero_WithTheReport()
    {
        await using var cluster = TestCluster.Start();

        using var host = TestHostProcess.Start(cluster.Variables(("KAFKA_TOPIC_ORDERS_REPLICATION", "5")), output);
        var exitCode = await host.WaitForExitAsync(Timeout);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("replication factor 5 is more than the 3 broker(s) in the cluster; set KAFKA_TOPIC_ORDERS_REPLICATION to 3 or less", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Lines, l => l.Contains("[7010]", StringComparison.Ordinal));   // no consumer started
    }

    private static async Task<List<(int Partition, long Offset)>> PublishAsync(TestCluster cluster, int count)
    {
        var options = Kafka.Configuration.EventBusOptions.FromVariables(cluster.Variables());
        await using var producer = new Kafka.Producing.EventProducer(options);
        var published = new List<(int, long)>();
        for (var i = 0; i < count; i++)
        {
            var result = await producer.PublishAsync("ORDERS", new { orderId = "o-" + i }, partitionKey: "k-" + i, cancellationToken: TestContext.Current.CancellationToken);
            published.Add((result.Partition, result.Offset));
        }

        return published;
    }
}
