using System.Reflection;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Hosting.Configuration;
using EventBus.Kafka.Hosting.Tests.Handlers;
using EventBus.Kafka.Hosting.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EventBus.Kafka.Hosting.Tests;

/// <summary>How AddEventBus builds the options: code, then the EventBus section, then the KAFKA_* variables, which win.</summary>
public sealed class ConfigurationBindingTests(ITestOutputHelper output)
{
    [Fact]
    public void Layers_CodeThenSectionThenVariables_VariablesWin()
    {
        var options = Resolve(
            new Dictionary<string, string?>
            {
                ["KAFKA_BOOTSTRAP_SERVERS"] = "broker-1:9092",
                ["SERVICE_NAME"] = "orders",
                ["KAFKA_PRODUCER_LINGER_MS"] = "3",
                ["KAFKA_TOPIC_ORDERS"] = "orders.from-variable",
                ["EventBus:Producer:LingerMs"] = "2",
                ["EventBus:Producer:FlushTimeout"] = "00:00:07",
                ["EventBus:Connection:SecurityProtocol"] = "SASL_SSL",
                ["EventBus:Connection:SaslMechanism"] = "ScramSha512",
                ["EventBus:Connection:SaslUsername"] = "svc",
                ["EventBus:Connection:SaslPassword"] = "secret",
                ["EventBus:Connection:AdditionalProperties:socket.keepalive.enable"] = "true",
                ["EventBus:Consumer:GroupId"] = "orders-from-section",
                ["EventBus:Topics:Topics:ORDERS:Name"] = "orders.from-section",
                ["EventBus:Topics:Topics:ORDERS:Partitions"] = "12",
                ["EventBus:Topics:Topics:AUDIT:Name"] = "orders.audit",
                ["EventBus:Topics:Tiers:Standard:ReplicationFactor"] = "2",
                ["EventBus:Topics:Tiers:Standard:MinInsyncReplicas"] = "1",
                ["EventBus:Topics:CreationRetryDelay"] = "00:00:00.500",
            },
            code: o =>
            {
                o.Producer.LingerMs = 1;
                o.Producer.RetryBackoffMs = 250;
                o.Consumer.AdditionalProperties["fetch.max.bytes"] = "1048576";
            });

        Assert.Equal(3, options.Producer.LingerMs);                                   // variable over section over code
        Assert.Equal(250, options.Producer.RetryBackoffMs);                           // code, nothing over it
        Assert.Equal(TimeSpan.FromSeconds(7), options.Producer.FlushTimeout);         // section
        Assert.Equal(SecurityProtocol.SaslSsl, options.Connection.SecurityProtocol);  // the variable's spelling works in the section
        Assert.Equal(KafkaSaslMechanism.ScramSha512, options.Connection.SaslMechanism);
        Assert.Equal("true", options.Connection.AdditionalProperties["socket.keepalive.enable"]);
        Assert.Equal("1048576", options.Consumer.AdditionalProperties["fetch.max.bytes"]);
        Assert.Equal("orders-from-section", options.Consumer.GroupId);
        Assert.Equal("orders.from-variable", options.Topics.GetTopicName("ORDERS"));
        Assert.Equal("orders.audit", options.Topics.GetTopicName("audit"));
        Assert.Equal("orders-dlq", options.Topics.GetTopicName("DLQ"));              // the default DLQ still comes from SERVICE_NAME
        var orders = options.Topics.GetResolvedTopics().Single(t => t.Key == "ORDERS");
        Assert.Equal((12, 2, 1), (orders.Partitions, orders.ReplicationFactor, orders.MinInsyncReplicas));
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Topics.CreationRetryDelay);
        Assert.DoesNotContain("secret", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SectionValuesUnreadable_EachNamedByItsKey_InOneFailure()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "broker-1:9092",
            ["SERVICE_NAME"] = "orders",
            ["EventBus:Producer:LingerMs"] = "five",
            ["EventBus:Producer:CloseTimeout"] = "10",
            ["EventBus:Producer:CompressionType"] = "brotli",
            ["EventBus:Topics:AutoCreate"] = "yes please",
            ["EventBus:Topics:Tiers:Premium:Partitions"] = "6",
            ["EventBus:Topics:Topics:ORDERS:Name"] = "orders",
            ["EventBus:Topics:Topics:ORDERS:Partitions"] = "several",
        }));

        output.WriteLine(failure.Message);
        Assert.Contains("EventBus:Producer:LingerMs: 'five' is not a whole number.", failure.Message, StringComparison.Ordinal);
        Assert.Contains("EventBus:Producer:CloseTimeout: '10' has no unit; write a TimeSpan such as 00:00:10", failure.Message, StringComparison.Ordinal);
        Assert.Contains("EventBus:Producer:CompressionType: 'brotli' is not a value EventBus knows; use one of None, Gzip, Snappy, Lz4, Zstd.", failure.Message, StringComparison.Ordinal);
        Assert.Contains("EventBus:Topics:AutoCreate: 'yes please' is not true or false.", failure.Message, StringComparison.Ordinal);
        Assert.Contains("EventBus:Topics:Tiers:Premium:Partitions: 'Premium' is not a tier EventBus knows", failure.Message, StringComparison.Ordinal);
        Assert.Contains("EventBus:Topics:Topics:ORDERS:Partitions: 'several' is not a whole number.", failure.Message, StringComparison.Ordinal);
        Assert.Contains("6 problems;", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownSectionKey_IsLoggedAtStart_AndIgnored()
    {
        var logs = new CapturedLogs(output);
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:9",
            ["SERVICE_NAME"] = "orders",
            ["KAFKA_TOPIC_AUTO_CREATE"] = "false",
            ["EventBus:Producer:LingerMillis"] = "5",
        }, logs, _ => { });

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        var warning = Assert.Single(logs.Entries, e => e.EventId == 7000);
        Assert.Contains("EventBus:Producer:LingerMillis", warning.Message, StringComparison.Ordinal);
        Assert.True(logs.Contains(7001), "provisioning is skipped with KAFKA_TOPIC_AUTO_CREATE=false");
    }

    [Fact]
    public void NoConfigurationGiven_UsesTheContainersConfiguration()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "broker-1:9092",
            ["SERVICE_NAME"] = "from-container",
        }).Build());
        services.AddEventBus();
        using var provider = services.BuildServiceProvider();

        Assert.Equal("from-container", provider.GetRequiredService<IOptions<EventBusOptions>>().Value.Connection.ServiceName);
    }

    [Fact]
    public void EverySettableOptionsProperty_IsReadFromTheSection()
    {
        // Guards the explicit binding: a property added to the options must be added to EventBusSectionBinder too.
        var known = EventBusSectionBinder.KnownKeys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = new List<string>();
        foreach (var (section, type) in new[] { ("Connection", typeof(KafkaConnectionOptions)), ("Producer", typeof(KafkaProducerOptions)), ("Consumer", typeof(KafkaConsumerOptions)), ("Topics", typeof(KafkaTopicOptions)) })
        {
            Collect(section, type, missing, known);
        }

        Collect("Topics:Topics:*", typeof(TopicDefinition), missing, known);
        Collect("Topics:Tiers:*", typeof(TopicTierSettings), missing, known);
        Assert.Empty(missing);
    }

    [Fact]
    public void AddEventBus_Twice_Throws()
    {
        var services = new ServiceCollection();
        services.AddEventBus();
        Assert.Throws<InvalidOperationException>(() => services.AddEventBus());
    }

    [Fact]
    public void AddConsumer_WithoutHandler_OrTopicTwice_Throws()
    {
        var bus = new ServiceCollection().AddEventBus();
        Assert.Throws<ArgumentException>(() => bus.AddConsumer(_ => { }));
        Assert.Throws<ArgumentException>(() => bus.AddConsumer(c => c
            .AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS")
            .AddHandler<OrderPlaced>("orders", (_, _) => Task.CompletedTask)));
        Assert.Throws<ArgumentOutOfRangeException>(() => bus.AddConsumer(c => c.AddBatchHandler<OrderPlaced, OrderBatchHandler>("ORDERS", 0, TimeSpan.Zero)));
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddEventBus());
    }

    [Fact]
    public void ClassHandlers_AreRegisteredScoped_UnlessAlreadyRegistered()
    {
        var services = new ServiceCollection();
        services.AddTransient<OrderBatchHandler>();
        services.AddEventBus().AddConsumer(c => c
            .AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS")
            .AddBatchHandler<OrderPlaced, OrderBatchHandler>("AUDIT", 10, TimeSpan.FromSeconds(1)));

        Assert.Equal(ServiceLifetime.Scoped, services.Single(d => d.ServiceType == typeof(OrderPlacedHandler)).Lifetime);
        Assert.Equal(ServiceLifetime.Transient, services.Single(d => d.ServiceType == typeof(OrderBatchHandler)).Lifetime);
        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(IHostedService)));   // EventBus's own and the consumer
    }

    private static void Collect(string prefix, Type type, List<string> missing, HashSet<string> known)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = prefix + ":" + property.Name;
            var isDictionary = property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(IDictionary<,>);
            if (isDictionary && property.Name == "AdditionalProperties")
            {
                key += ":*";
            }
            else if (isDictionary || property.SetMethod is not { IsPublic: true } || property.PropertyType.IsInterface)
            {
                continue;   // Topics and Tiers are checked through their item types; the token provider is code-only.
            }

            if (!known.Contains(key))
            {
                missing.Add(key);
            }
        }
    }

    private static EventBusOptions Resolve(Dictionary<string, string?> configuration, Action<EventBusOptions>? code = null)
    {
        var services = new ServiceCollection();
        services.AddEventBus(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build(), code);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<EventBusOptions>>().Value;
    }
}
