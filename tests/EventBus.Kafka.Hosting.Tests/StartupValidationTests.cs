using EventBus.Kafka.Hosting.Tests.Handlers;
using EventBus.Kafka.Hosting.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EventBus.Kafka.Hosting.Tests;

/// <summary>
/// A bad configuration stops the host before anything connects, with one message that names every variable to set.
/// The bootstrap servers are a <see cref="SilentBroker"/>, which counts connection attempts.
/// </summary>
public sealed class StartupValidationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan NoConnectionWindow = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task InvalidConfiguration_HostDoesNotStart_EveryProblemNamedBeforeAnyConnection()
    {
        using var broker = new SilentBroker();
        var variables = new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
            ["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT",
            ["KAFKA_PRODUCER_ACKS"] = "1",                 // conflicts with idempotence
            ["KAFKA_PRODUCER_LINGER_MS"] = "soon",         // not a number
            ["EventBus:Consumer:MaxPollRecords"] = "many", // the EventBus section, unreadable
            // SERVICE_NAME, KAFKA_CONSUMER_GROUP and KAFKA_TOPIC_ORDERS are missing.
        };

        var failure = await StartExpectingFailureAsync(variables, bus => bus.AddConsumer(c => c.AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS")));

        foreach (var variable in new[] { "SERVICE_NAME", "KAFKA_PRODUCER_ACKS", "KAFKA_PRODUCER_LINGER_MS", "EventBus:Consumer:MaxPollRecords", "KAFKA_CONSUMER_GROUP", "KAFKA_TOPIC_ORDERS" })
        {
            Assert.Contains("  - " + variable + ":", failure.Message, StringComparison.Ordinal);
        }

        Assert.Single(failure.Failures);
        Assert.False(await broker.AnyConnectionWithinAsync(NoConnectionWindow), "no client may connect before the configuration is valid");
    }

    [Fact]
    public async Task ConsumerWithoutGroup_HostDoesNotStart_NamingKafkaConsumerGroup()
    {
        using var broker = new SilentBroker();
        var variables = Valid(broker);
        variables.Remove("KAFKA_CONSUMER_GROUP");

        var failure = await StartExpectingFailureAsync(variables, bus => bus.AddConsumer(c => c.AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS")));

        Assert.Contains("KAFKA_CONSUMER_GROUP: is required for a consumer", failure.Message, StringComparison.Ordinal);
        Assert.Contains("1 problem;", failure.Message, StringComparison.Ordinal);
        Assert.False(await broker.AnyConnectionWithinAsync(NoConnectionWindow));
    }

    [Fact]
    public async Task HandlerOfUnknownTopicKeys_HostDoesNotStart_NamingEachKafkaTopicVariable()
    {
        using var broker = new SilentBroker();

        var failure = await StartExpectingFailureAsync(Valid(broker), bus => bus
            .AddPublishedTopics("ORDER_CONFIRMED")
            .AddConsumer(c => c
                .AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS")
                .AddBatchHandler<OrderPlaced, OrderBatchHandler>("order-audit", 10, TimeSpan.FromSeconds(1))
                .AddHandler<OrderPlaced>("PAYMENTS", (_, _) => Task.CompletedTask)));

        Assert.Contains("KAFKA_TOPIC_ORDER_CONFIRMED: is required: the service publishes to topic key 'ORDER_CONFIRMED' (AddPublishedTopics)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_TOPIC_ORDER_AUDIT: is required: consumer 1 (ORDERS, ORDER_AUDIT, PAYMENTS) handles topic key 'order-audit' with OrderBatchHandler", failure.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_TOPIC_PAYMENTS: is required: consumer 1 (ORDERS, ORDER_AUDIT, PAYMENTS) handles topic key 'PAYMENTS' with a delegate", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("KAFKA_TOPIC_ORDERS:", failure.Message, StringComparison.Ordinal);
        Assert.Contains("3 problems;", failure.Message, StringComparison.Ordinal);
        Assert.False(await broker.AnyConnectionWithinAsync(NoConnectionWindow));
    }

    [Fact]
    public async Task DeadLetterTopicKeyChanged_NotConfigured_HostDoesNotStart()
    {
        using var broker = new SilentBroker();

        var failure = await StartExpectingFailureAsync(Valid(broker), bus => bus
            .AddConsumer(c => c.Configure(o => o.DeadLetterTopicKey = "ORDERS_DLQ").AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS")));

        Assert.Contains("KAFKA_TOPIC_ORDERS_DLQ: is required: consumer 1 (ORDERS) dead-letters to topic key 'ORDERS_DLQ'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProducerOnly_NoGroup_IsValid_TheGroupIsRequiredOnlyWithAConsumer()
    {
        using var broker = new SilentBroker();
        var variables = Valid(broker);
        variables.Remove("KAFKA_CONSUMER_GROUP");
        variables["KAFKA_TOPIC_AUTO_CREATE"] = "false";
        using var host = TestHosts.Build(variables, new CapturedLogs(output), bus => bus.AddPublishedTopics("ORDERS"));

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, broker.Connections);   // nothing published, so no producer was created
    }

    [Fact]
    public async Task OptionsResolvedBeforeStart_InvalidConfiguration_ThrowsTheSameListing()
    {
        using var broker = new SilentBroker();
        var variables = Valid(broker);
        variables.Remove("SERVICE_NAME");
        using var host = TestHosts.Build(variables, new CapturedLogs(output), bus => bus.AddPublishedTopics("ORDERS"));

        // A service that injects the producer into its own hosted service resolves it before start: the same validation stops it.
        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<Producing.IEventProducer>());

        Assert.Contains("SERVICE_NAME: is required", failure.Message, StringComparison.Ordinal);
        Assert.False(await broker.AnyConnectionWithinAsync(NoConnectionWindow));
    }

    private static Dictionary<string, string?> Valid(SilentBroker broker) => new()
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
        ["SERVICE_NAME"] = "orders",
        ["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT",
        ["KAFKA_CONSUMER_GROUP"] = "orders",
        ["KAFKA_TOPIC_ORDERS"] = "orders.placed",
    };

    private async Task<OptionsValidationException> StartExpectingFailureAsync(Dictionary<string, string?> variables, Action<EventBusBuilder> configure)
    {
        var logs = new CapturedLogs(output);
        using var host = TestHosts.Build(variables, logs, configure, services => services.AddScoped<ScopedProbe>().AddSingleton(new Recorder()));
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        output.WriteLine(failure.Message);
        Assert.False(logs.Contains(7002), "provisioning must not start");
        Assert.False(logs.Contains(7010), "no consumer may start");
        return failure;
    }
}
