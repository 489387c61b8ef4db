using System.Globalization;
using System.Text.RegularExpressions;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Hosting.Tests.Handlers;
using EventBus.Kafka.Hosting.Tests.Infrastructure;
using EventBus.Kafka.Producing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventBus.Kafka.Hosting.Tests;

/// <summary>Host stop with records in flight: they are all handled and committed, and none goes to the next member.</summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task HostStop_RecordsInFlight_AllHandledAndCommitted_NothingRedeliveredToTheNextMember()
    {
        await using var cluster = TestCluster.Start(ordersPartitions: 3);
        const int count = 30;

        // First member: one record in flight per partition, held until its consumer is stopping (the host stop reached it).
        var first = new Recorder { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var logsA = new CapturedLogs(output);
        using var hostA = BuildHost(cluster, first, logsA);
        await hostA.StartAsync(TestContext.Current.CancellationToken);
        var consumerA = hostA.Services.GetServices<IHostedService>().OfType<Runtime.ConsumerHostedService>().Single().Consumer!;
        hostA.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => _ = Task.Run(async () =>
        {
            while (consumerA.State == EventConsumerState.Running)
            {
                await Task.Delay(10, CancellationToken.None);
            }

            first.Gate.TrySetResult();
        }));
        var producer = hostA.Services.GetRequiredService<IEventProducer>();
        var published = new List<PublishResult>();
        for (var i = 0; i < count; i++)
        {
            published.Add(await producer.PublishAsync("ORDERS", new OrderPlaced("o-" + i), partitionKey: "key-" + i, cancellationToken: TestContext.Current.CancellationToken));
        }

        var partitionsUsed = published.Select(p => p.Partition).Distinct().Count();
        await Wait.UntilAsync(() => first.Started.Count >= partitionsUsed, Timeout, $"a record in flight on each of {partitionsUsed} partitions");
        Assert.Empty(first.Handled);

        await hostA.StopAsync(TestContext.Current.CancellationToken);

        var handledByA = first.Handled.ToList();
        // The consumer began to stop with every record it had dispatched still in flight (those not started are left for the next member).
        var stopping = Assert.Single(logsA.Entries, e => e.EventId == 2015).Message;
        var inFlight = int.Parse(Regex.Match(stopping, @"stopping with (\d+) record").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(inFlight, partitionsUsed, count);
        output.WriteLine($"first member handled {handledByA.Count} record(s) in flight at stop: {string.Join(", ", handledByA.Select(h => $"{h.Partition}@{h.Offset}"))}");
        Assert.Equal(first.Started.Select(h => (h.Partition, h.Offset)).Order(), handledByA.Select(h => (h.Partition, h.Offset)).Order());
        var committed = cluster.Committed();
        foreach (var partition in handledByA.GroupBy(h => h.Partition))
        {
            Assert.Equal(partition.Max(h => h.Offset) + 1, committed[partition.Key]);
        }

        // Next member of the group: it gets exactly what the first did not handle.
        var second = new Recorder();
        using var hostB = BuildHost(cluster, second, new CapturedLogs(output));
        await hostB.StartAsync(TestContext.Current.CancellationToken);
        await Wait.UntilAsync(() => second.Handled.Count >= count - handledByA.Count, Timeout, "the rest of the records on the next member");
        await hostB.StopAsync(TestContext.Current.CancellationToken);

        var handledByB = second.Handled.Select(h => (h.Partition, h.Offset)).ToHashSet();
        Assert.Empty(handledByB.Intersect(handledByA.Select(h => (h.Partition, h.Offset))));
        Assert.Equal(count, handledByB.Count + handledByA.Count);
        Assert.Equal(published.Select(p => (p.Partition, p.Offset)).Order(), handledByB.Concat(handledByA.Select(h => (h.Partition, h.Offset))).Order());
    }

    private static IHost BuildHost(TestCluster cluster, Recorder recorder, CapturedLogs logs) =>
        TestHosts.Build(cluster.Variables(), logs,
            bus => bus.AddPublishedTopics("ORDERS").AddConsumer(c => c
                .Configure(o =>
                {
                    o.MaxConcurrency = 3;
                    o.Ordering = OrderingMode.Partition;
                    o.CommitInterval = TimeSpan.FromMinutes(5);   // only the shutdown commit can commit
                })
                .AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS")),
            services => services.AddScoped<ScopedProbe>().AddSingleton(recorder).Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30)));
}
