using System.Collections.Concurrent;
using EventBus.Kafka.Hosting.Tests.Handlers;
using EventBus.Kafka.Hosting.Tests.Infrastructure;
using EventBus.Kafka.Producing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventBus.Kafka.Hosting.Tests;

/// <summary>Batch handler classes and the delegate forms, each consumer a hosted service of its own.</summary>
public sealed class HandlerFormsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task BatchClassHandler_AndScopedDelegate_InTwoConsumers_EachAttemptInItsOwnScope()
    {
        await using var cluster = TestCluster.Start();
        var auditTopic = "audit-" + cluster.Suffix;
        cluster.Cluster.CreateTopic(auditTopic, 1, 3);
        var recorder = new Recorder();
        var audited = new ConcurrentQueue<(string OrderId, Guid Scope)>();
        using var host = TestHosts.Build(cluster.Variables(("KAFKA_TOPIC_AUDIT", auditTopic)), new CapturedLogs(output),
            bus => bus
                .AddPublishedTopics("ORDERS", "AUDIT")
                .AddConsumer(c => c.AddBatchHandler<OrderPlaced, OrderBatchHandler>("ORDERS", batchSize: 5, batchTimeout: TimeSpan.FromMilliseconds(200)))
                .AddConsumer(c => c.AddHandler<OrderPlaced>("AUDIT", (context, services, _) =>
                {
                    audited.Enqueue((context.Message.OrderId, services.GetRequiredService<ScopedProbe>().Id));
                    return Task.CompletedTask;
                })),
            services => services.AddScoped<ScopedProbe>().AddSingleton(recorder));

        await host.StartAsync(TestContext.Current.CancellationToken);
        var producer = host.Services.GetRequiredService<IEventProducer>();
        const int count = 12;
        var orders = await producer.PublishBatchAsync("ORDERS", Enumerable.Range(0, count).Select(i => new EventMessage<OrderPlaced>(new OrderPlaced("o-" + i), "same-key")), TestContext.Current.CancellationToken);
        Assert.Equal(count, orders.SucceededCount);
        for (var i = 0; i < 3; i++)
        {
            await producer.PublishAsync("AUDIT", new OrderPlaced("a-" + i), cancellationToken: TestContext.Current.CancellationToken);
        }

        await Wait.UntilAsync(() => recorder.Handled.Count >= count && audited.Count >= 3, Timeout, "every order batch and audit record");
        await host.StopAsync(TestContext.Current.CancellationToken);

        var batches = recorder.Handled.GroupBy(h => h.Probe!.Id).ToList();
        Assert.All(batches, b => Assert.InRange(b.Count(), 1, 5));
        Assert.True(batches.Count >= 3, $"{count} records in batches of at most 5 take at least 3 scopes, saw {batches.Count}");
        Assert.Equal(Enumerable.Range(0, count).Select(i => "o-" + i), recorder.Handled.Select(h => h.OrderId));   // one key, one partition: in order
        Assert.Equal(3, audited.Select(a => a.Scope).Distinct().Count());
    }
}
