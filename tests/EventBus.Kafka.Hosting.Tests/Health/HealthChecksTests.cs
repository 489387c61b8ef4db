using System.Text.Json;
using EventBus.Kafka.Diagnostics.Health;
using EventBus.Kafka.Hosting.Health;
using EventBus.Kafka.Hosting.Tests.Handlers;
using EventBus.Kafka.Hosting.Tests.Infrastructure;
using EventBus.Kafka.Producing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace EventBus.Kafka.Hosting.Tests.Health;

/// <summary>
/// The live and ready checks of <c>services.AddHealthChecks().AddEventBus()</c> through the application's own
/// <see cref="HealthCheckService"/>, on a mock cluster: a stuck poll loop, every broker down, a group with more
/// members than partitions, and the JSON report's counts.
/// </summary>
public sealed class HealthChecksTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Liveness_PollLoopStuckInAPartitionCallback_IsUnhealthy_ThenHealthyOnceItReturns()
    {
        await using var cluster = TestCluster.Start();
        using var gate = new ManualResetEventSlim();
        using var host = Build(cluster, bus => bus.AddConsumer(c => c
            .Configure(o => o.PartitionsAssigned = _ => gate.Wait(Timeout)) // the service's callback blocks the poll thread
            .AddHandler<OrderPlaced>("ORDERS", (_, _) => Task.CompletedTask)),
            o => o.MaxPollStall = TimeSpan.FromSeconds(1));

        await host.StartAsync(TestContext.Current.CancellationToken);
        var stuck = await WaitForAsync(host, EventBusHealthTags.Live, s => s == HealthStatus.Unhealthy, "liveness to fail while the poll loop is stuck");
        Assert.Contains("poll loop is stuck", stuck.Description, StringComparison.Ordinal);
        Assert.NotEqual(HealthStatus.Healthy, (await CheckAsync(host, EventBusHealthTags.Ready)).Status); // no assignment yet

        gate.Set();
        await WaitForAsync(host, EventBusHealthTags.Live, s => s == HealthStatus.Healthy, "liveness to pass once the callback returned");
        await WaitForAsync(host, EventBusHealthTags.Ready, s => s == HealthStatus.Healthy, "readiness once the partitions are assigned");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Readiness_EveryBrokerDown_IsUnhealthy_LivenessStaysHealthy_BothHealthyAfterRecovery()
    {
        await using var cluster = TestCluster.Start();
        var handled = 0;
        using var host = Build(cluster, bus => bus.AddPublishedTopics("ORDERS").AddConsumer(c => c
            .AddHandler<OrderPlaced>("ORDERS", (_, _) =>
            {
                Interlocked.Increment(ref handled);
                return Task.CompletedTask;
            })));
        await host.StartAsync(TestContext.Current.CancellationToken);
        var ready = await WaitForAsync(host, EventBusHealthTags.Ready, s => s == HealthStatus.Healthy, "readiness with the cluster up");
        output.WriteLine("up: " + ready.Description);

        for (var broker = 1; broker <= cluster.Cluster.BrokerCount; broker++)
        {
            cluster.Cluster.SetBrokerDown(broker);
        }

        var down = await WaitForAsync(host, EventBusHealthTags.Ready, s => s == HealthStatus.Unhealthy, "readiness to fail with every broker down");
        output.WriteLine("down: " + down.Description);
        Assert.StartsWith("cluster: the cluster did not answer", down.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host, EventBusHealthTags.Live)).Status); // an outage is no reason to restart

        for (var broker = 1; broker <= cluster.Cluster.BrokerCount; broker++)
        {
            cluster.Cluster.SetBrokerUp(broker);
        }

        var back = await WaitForAsync(host, EventBusHealthTags.Ready, s => s != HealthStatus.Unhealthy, "readiness once the brokers are back");
        output.WriteLine("back: " + back.Status + " " + back.Description);

        // The next delivery and the next record bring the clients back to Healthy (issue 13's states).
        var producer = host.Services.GetRequiredService<IEventProducer>();
        await producer.PublishAsync("ORDERS", new OrderPlaced("after"), cancellationToken: TestContext.Current.CancellationToken);
        await Wait.UntilAsync(() => Volatile.Read(ref handled) >= 1, Timeout, "the record published after the recovery to be handled");
        await WaitForAsync(host, EventBusHealthTags.Ready, s => s == HealthStatus.Healthy, "readiness Healthy once the clients delivered again");
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host, EventBusHealthTags.Live)).Status);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Readiness_GroupWithMoreMembersThanPartitions_MemberWithoutPartitionIsReady()
    {
        await using var cluster = TestCluster.Start(ordersPartitions: 1);
        using var host = Build(cluster, bus => bus
            .AddConsumer(c => c.AddHandler<OrderPlaced>("ORDERS", (_, _) => Task.CompletedTask))
            .AddConsumer(c => c.AddHandler<OrderPlaced>("ORDERS", (_, _) => Task.CompletedTask)));
        await host.StartAsync(TestContext.Current.CancellationToken);

        var ready = await WaitForAsync(host, EventBusHealthTags.Ready, s => s == HealthStatus.Healthy, "readiness of both members");
        var findings = ready.Data.Values.Select(v => v.ToString()!).ToList();
        output.WriteLine(string.Join(Environment.NewLine, findings));
        Assert.Contains(findings, f => f.Contains("1 partition(s) assigned", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Contains("more members than partitions", StringComparison.Ordinal));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Report_Json_CarriesTheRealCounts()
    {
        await using var cluster = TestCluster.Start();
        var handled = 0;
        using var host = Build(cluster, bus => bus.AddPublishedTopics("ORDERS").AddConsumer(c => c
            .AddHandler<OrderPlaced>("ORDERS", (_, _) =>
            {
                Interlocked.Increment(ref handled);
                return Task.CompletedTask;
            })));
        await host.StartAsync(TestContext.Current.CancellationToken);
        var producer = host.Services.GetRequiredService<EventProducer>();
        const int count = 7;
        for (var i = 0; i < count; i++)
        {
            await producer.PublishAsync("ORDERS", new OrderPlaced("o-" + i), partitionKey: "k-" + i, cancellationToken: TestContext.Current.CancellationToken);
        }

        await Wait.UntilAsync(() => Volatile.Read(ref handled) == count, Timeout, $"{count} handled records");
        var reporter = host.Services.GetRequiredService<EventBusHealthReporter>();
        var report = await reporter.GetReportAsync(TestContext.Current.CancellationToken);
        for (var started = DateTime.UtcNow; report.Statistics.MessagesProcessed < count && DateTime.UtcNow - started < Timeout;)
        {
            // The handler returned; its record's completion is counted right after.
            report = await reporter.GetReportAsync(TestContext.Current.CancellationToken);
        }

        var json = report.ToJson(indented: true);
        output.WriteLine(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("healthy", root.GetProperty("status").GetString());
        Assert.Equal(cluster.Cluster.BootstrapServers, root.GetProperty("bootstrap_servers").GetString());
        Assert.True(root.GetProperty("consumer_running").GetBoolean());
        var statistics = root.GetProperty("statistics");
        Assert.Equal(count, statistics.GetProperty("messages_sent").GetInt64());
        Assert.Equal(count, statistics.GetProperty("messages_received").GetInt64());
        Assert.Equal(count, statistics.GetProperty("messages_processed").GetInt64());
        Assert.Equal(0, statistics.GetProperty("messages_failed").GetInt64());
        Assert.Equal(0, statistics.GetProperty("messages_dead_lettered").GetInt64());
        var consumer = root.GetProperty("consumers").EnumerateArray().Single();
        Assert.Equal(cluster.Group, consumer.GetProperty("group_id").GetString());
        Assert.Equal(3, consumer.GetProperty("assigned_partitions").GetInt32());
        Assert.Equal("running", consumer.GetProperty("state").GetString());
        Assert.Equal("healthy", consumer.GetProperty("health").GetProperty("status").GetString());
        Assert.Equal(count, root.GetProperty("producer").GetProperty("messages_sent").GetInt64());
        var topics = root.GetProperty("topics");
        Assert.Contains(cluster.OrdersTopic, topics.GetProperty("existing").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(topics.GetProperty("missing").EnumerateArray());
        Assert.Equal("readiness", topics.GetProperty("verified_by").GetString());
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private IHost Build(TestCluster cluster, Action<EventBusBuilder> bus, Action<EventBusHealthOptions>? health = null) =>
        HealthHosts.Build(cluster.Variables(), new CapturedLogs(output), bus, health);

    private static Task<HealthReportEntry> CheckAsync(IHost host, string tag) => HealthHosts.CheckAsync(host, tag);

    private static Task<HealthReportEntry> WaitForAsync(IHost host, string tag, Func<HealthStatus, bool> condition, string what) =>
        HealthHosts.WaitForAsync(host, tag, condition, Timeout, what);
}
