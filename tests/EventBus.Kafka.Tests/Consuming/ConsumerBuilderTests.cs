using System.Net;
using System.Net.Sockets;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Tests.Configuration;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Tests.Consuming;

/// <summary>What the builder checks before anything connects, and how the variables meet Configure(...).</summary>
public sealed class ConsumerBuilderTests
{
    [Fact]
    public void Build_NoGroup_UnknownKeys_BadCodeOption_AllInOneMessage_BeforeAnyConnection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var broker = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_BOOTSTRAP_SERVERS", broker), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"),
            ("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_CONSUMER_MAX_RETRIES", "2")));
        var builder = new EventConsumerBuilder(options)
            .Configure(o =>
            {
                o.CommitBatchSize = 0;
                o.DeadLetterTopicKey = "POISON";
            })
            .AddHandler<string>("ORDERS", (_, _) => Task.CompletedTask)
            .AddHandler<string>("PAYMENTS", (_, _) => Task.CompletedTask)
            .AddBatchHandler<string>("stage-complete", (_, _) => Task.CompletedTask, 10, TimeSpan.Zero);

        var ex = Assert.Throws<EventBusConfigurationException>(builder.Build);

        Assert.Equal(
            ["KAFKA_CONSUMER_GROUP", "EventConsumerOptions.CommitBatchSize", "KAFKA_TOPIC_POISON", "KAFKA_TOPIC_PAYMENTS", "KAFKA_TOPIC_STAGE_COMPLETE"],
            ex.Problems.Select(p => p.Variable));
        Assert.StartsWith("The EventBus configuration has 5 problems", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_TOPIC_PAYMENTS: topic key 'PAYMENTS' of a handler (AddHandler<String>) is not configured; set KAFKA_TOPIC_PAYMENTS to the topic name.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AddBatchHandler<String>", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dead-letter topic key 'POISON'", ex.Message, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "nothing may connect before the configuration is valid");
    }

    [Fact]
    public void AddHandler_UnknownKey_DoesNotThrowUntilBuild()
    {
        var builder = new EventConsumerBuilder(Options());

        var returned = builder.AddHandler<string>("NOT_CONFIGURED", (_, _) => Task.CompletedTask);

        Assert.Same(builder, returned);
        Assert.Equal("KAFKA_TOPIC_NOT_CONFIGURED", Assert.Single(Assert.Throws<EventBusConfigurationException>(builder.Build).Problems).Variable);
    }

    [Fact]
    public void Build_Valid_EffectiveOptionsAndRoutes()
    {
        var builder = new EventConsumerBuilder(Options())
            .AddHandler<string>("ORDERS", (_, _) => Task.CompletedTask)
            .AddNullableHandler<string>("PAYMENTS", (ctx, _) => Task.FromResult(ctx.Message?.Length))
            .AddTopicHandler<int?>("raw.topic", (_, _) => Task.CompletedTask);

        var routes = builder.Prepare();

        Assert.Equal(["orders", "payments", "raw.topic"], routes.Select(r => r.Topic));
        Assert.Equal([false, true, true], routes.Select(r => r.AcceptsNull));
    }

    [Fact]
    public void Variables_SetOnesWinOverConfigure_UnsetOnesLeaveIt_OverridesLogged()
    {
        using var log = new LogCapture();
        var builder = new EventConsumerBuilder(Options(("KAFKA_CONSUMER_MAX_CONCURRENCY", "8"), ("KAFKA_CONSUMER_ORDERING", "key"), ("KAFKA_CONSUMER_RETRY_BACKOFF_MS", "50")))
            .Configure(o =>
            {
                o.MaxConcurrency = 4;
                o.MaxRetries = 7;
                o.RetryMaxDelay = TimeSpan.FromSeconds(5);
            })
            .WithLoggerFactory(log)
            .AddHandler<string>("ORDERS", (_, _) => Task.CompletedTask);

        builder.Prepare();

        var o = builder.EffectiveOptions;
        Assert.Equal((8, OrderingMode.Key, 7, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5)), (o.MaxConcurrency, o.Ordering, o.MaxRetries, o.RetryBaseDelay, o.RetryMaxDelay));
        var lines = log.Entries.Where(e => e.EventId.Id == 2041).Select(e => e.Message).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Contains("Consumer setting MaxConcurrency is 8 from KAFKA_CONSUMER_MAX_CONCURRENCY, which wins over 4 configured in code", lines);
        Assert.Contains(log.Entries, e => e.EventId.Id == 2041 && e.Level == LogLevel.Information && e.Message.Contains("RetryBaseDelay is 50 ms", StringComparison.Ordinal));
    }

    [Fact]
    public void Variables_ConflictWithTheCodesValue_ProblemNamesTheVariable()
    {
        var builder = new EventConsumerBuilder(Options(("KAFKA_CONSUMER_RETRY_BACKOFF_MS", "60000")))
            .AddHandler<string>("ORDERS", (_, _) => Task.CompletedTask);

        var problem = Assert.Single(Assert.Throws<EventBusConfigurationException>(builder.Build).Problems);

        Assert.Equal("EventConsumerOptions.RetryMaxDelay", problem.Variable);
        Assert.Contains("below the first retry's delay (60000 ms, KAFKA_CONSUMER_RETRY_BACKOFF_MS)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_InvalidVariable_ReportedOnce()
    {
        var options = new EventBusOptions();
        EnvironmentVariableBinder.Bind(options, Variables.With(("KAFKA_CONSUMER_GROUP", "g"), ("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_CONSUMER_MAX_CONCURRENCY", "0")));
        var builder = new EventConsumerBuilder(options).AddHandler<string>("ORDERS", (_, _) => Task.CompletedTask);

        var ex = Assert.Throws<EventBusConfigurationException>(builder.Build);

        Assert.Equal("KAFKA_CONSUMER_MAX_CONCURRENCY", Assert.Single(ex.Problems).Variable);
    }

    [Fact]
    public void Build_TwoKeysOneTopic_AndAHandlerOnItsOwnDeadLetterTopic_Problems()
    {
        var builder = new EventConsumerBuilder(Options(("KAFKA_TOPIC_ORDERS_V2", "orders"), ("KAFKA_TOPIC_REPLAY", "svc-dlq")))
            .AddHandler<string>("ORDERS", (_, _) => Task.CompletedTask)
            .AddHandler<string>("ORDERS_V2", (_, _) => Task.CompletedTask)
            .AddHandler<string>("REPLAY", (_, _) => Task.CompletedTask);

        var ex = Assert.Throws<EventBusConfigurationException>(builder.Build);

        Assert.Equal(["KAFKA_TOPIC_ORDERS_V2", "KAFKA_TOPIC_REPLAY"], ex.Problems.Select(p => p.Variable));
        Assert.Contains("names topic 'orders', which another handler of this consumer consumes too", ex.Problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("own dead-letter topic", ex.Problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ErrorsKey_DefaultOptional_ChangedMustBeConfigured()
    {
        new EventConsumerBuilder(Options()).AddHandler<string>("ORDERS", (_, _) => Task.CompletedTask).Prepare();

        var builder = new EventConsumerBuilder(Options())
            .Configure(o => o.ErrorsTopicKey = "FAILURES")
            .AddHandler<string>("ORDERS", (_, _) => Task.CompletedTask);

        Assert.Equal("KAFKA_TOPIC_FAILURES", Assert.Single(Assert.Throws<EventBusConfigurationException>(builder.Build).Problems).Variable);
    }

    [Fact]
    public void Add_CodeMistakes_ThrowAtOnce()
    {
        var builder = new EventConsumerBuilder(Options()).AddHandler<string>("ORDERS", (_, _) => Task.CompletedTask).AddTopicHandler<string>("raw", (_, _) => Task.CompletedTask);

        Assert.Throws<ArgumentException>(() => builder.AddHandler<string>("orders", (_, _) => Task.CompletedTask));
        Assert.Throws<ArgumentException>(() => builder.AddTopicHandler<string>("raw", (_, _) => Task.CompletedTask));
        Assert.Throws<ArgumentException>(() => builder.AddTopicHandler<string>("not a topic!", (_, _) => Task.CompletedTask));
        Assert.Throws<ArgumentException>(() => builder.AddHandler<string>(" ", (_, _) => Task.CompletedTask));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddBatchHandler<string>("X", (_, _) => Task.CompletedTask, 0, TimeSpan.Zero));
    }

    private static EventBusOptions Options(params (string Name, string? Value)[] extra) => EventBusOptions.FromVariables(Variables.With(
        [("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9"), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"), ("SERVICE_NAME", "svc"), ("KAFKA_CONSUMER_GROUP", "g"),
         ("KAFKA_TOPIC_ORDERS", "orders"), ("KAFKA_TOPIC_PAYMENTS", "payments"), .. extra]));
}
