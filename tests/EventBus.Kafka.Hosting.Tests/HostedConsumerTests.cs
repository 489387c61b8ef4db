using System.Diagnostics;
using EventBus.Kafka.Hosting.Tests.Handlers;
using EventBus.Kafka.Hosting.Tests.Infrastructure;
using EventBus.Kafka.Producing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventBus.Kafka.Hosting.Tests;

/// <summary>A host configured only by variables publishes and consumes through DI-resolved handlers.</summary>
public sealed class HostedConsumerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ClassHandler_VariablesOnly_PublishesAndConsumes_EachMessageInItsOwnScope()
    {
        await using var cluster = TestCluster.Start();
        var logs = new CapturedLogs(output);
        var recorder = new Recorder();
        using var host = TestHosts.Build(cluster.Variables(), logs,
            bus => bus.AddPublishedTopics("ORDERS").AddConsumer(c => c.AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS")),
            services => services.AddScoped<ScopedProbe>().AddSingleton(recorder));

        var clock = Stopwatch.StartNew();
        await host.StartAsync(TestContext.Current.CancellationToken);
        output.WriteLine($"host started in {clock.ElapsedMilliseconds} ms");
        var producer = host.Services.GetRequiredService<IEventProducer>();
        Assert.Same(producer, host.Services.GetRequiredService<EventProducer>());
        const int count = 20;
        for (var i = 0; i < count; i++)
        {
            await producer.PublishAsync("ORDERS", new OrderPlaced("o-" + i), partitionKey: "k-" + i, cancellationToken: TestContext.Current.CancellationToken);
        }

        await Wait.UntilAsync(() => recorder.Handled.Count >= count, Timeout, $"{count} handled records");
        await host.StopAsync(TestContext.Current.CancellationToken);

        var handled = recorder.Handled.ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => "o-" + i).Order(), handled.Select(h => h.OrderId).Order());
        Assert.Equal(count, handled.Select(h => h.Probe!.Id).Distinct().Count());
        Assert.Equal(count, handled.Select(h => h.Handler).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.All(handled, h => Assert.True(h.Probe!.Disposed, "each message's scope is disposed once its handler returned"));
    }
}
