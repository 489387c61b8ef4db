using System.Diagnostics;
using EventBus.Kafka.Hosting.Tests.Handlers;
using EventBus.Kafka.Hosting.Tests.Infrastructure;
using EventBus.Kafka.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventBus.Kafka.Hosting.Tests;

/// <summary>Topic provisioning completes before any consumer polls; a fatal provisioning error stops the host.</summary>
/// <remarks>
/// On the mock cluster (no admin API) provisioning today waits for a controller until KAFKA_TOPIC_CREATION_TIMEOUT
/// before it reports "no admin API" and verifies through metadata; the tests set that timeout to 2 s
/// (<see cref="TestCluster.Variables"/>). Making the report fast is the failures issue's work.
/// </remarks>
public sealed class StartupOrderTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Provisioning_CompletesBeforeTheFirstConsumerStartsPolling(bool servicesStartConcurrently)
    {
        await using var cluster = TestCluster.Start();
        var logs = new CapturedLogs(output);
        using var host = TestHosts.Build(cluster.Variables(), logs,
            bus => bus
                .AddConsumer(c => c.AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS"))
                .AddConsumer(c => c.AddHandler<OrderPlaced>("ORDERS", (_, _) => Task.CompletedTask)),
            services => services.AddScoped<ScopedProbe>().AddSingleton(new Recorder())
                .Configure<HostOptions>(o => o.ServicesStartConcurrently = servicesStartConcurrently));

        var clock = Stopwatch.StartNew();
        await host.StartAsync(TestContext.Current.CancellationToken);
        var started = clock.Elapsed;
        await host.StopAsync(TestContext.Current.CancellationToken);

        var provisioned = logs.FirstIndexOf(7003);      // ProvisioningCompleted
        Assert.True(provisioned > 0, "provisioning completed");
        var consumersStarting = logs.Entries.Where(e => e.EventId is 7010 or 2000).Select(e => e.Sequence).ToList();   // HostedConsumerStarting, ConsumerStarted (polling)
        Assert.Equal(4, consumersStarting.Count);
        Assert.All(consumersStarting, s => Assert.True(s > provisioned, "a consumer started before provisioning completed"));
        Assert.True(logs.FirstIndexOf(7002) < provisioned);

        var report = logs.Entries.Single(e => e.EventId == 7003).Message;
        Assert.Contains("admin API not available", report, StringComparison.Ordinal);
        output.WriteLine($"host started in {started.TotalMilliseconds:0} ms (KAFKA_TOPIC_CREATION_TIMEOUT=2)");
        Assert.True(started < TimeSpan.FromSeconds(15), $"start-up took {started}");
    }

    [Fact]
    public async Task FatalProvisioningError_HostDoesNotStart_NoConsumerStarts()
    {
        await using var cluster = TestCluster.Start();
        var logs = new CapturedLogs(output);
        using var host = TestHosts.Build(cluster.Variables(("KAFKA_TOPIC_ORDERS_REPLICATION", "5")), logs,
            bus => bus.AddConsumer(c => c.AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS")),
            services => services.AddScoped<ScopedProbe>().AddSingleton(new Recorder()));

        var failure = await Assert.ThrowsAsync<TopicProvisioningException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        output.WriteLine(failure.Message);
        Assert.Contains("KAFKA_TOPIC_ORDERS_REPLICATION", failure.Message, StringComparison.Ordinal);
        Assert.Contains("3 broker(s)", failure.Message, StringComparison.Ordinal);
        Assert.True(logs.Contains(7004), "ProvisioningFailed logged");
        Assert.False(logs.Contains(7010), "no consumer may start");
        Assert.False(logs.Contains(2000), "no consumer may poll");
    }
}
