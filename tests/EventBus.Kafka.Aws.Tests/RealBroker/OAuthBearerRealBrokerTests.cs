using System.Threading.Channels;
using Amazon.Runtime;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Tests.Configuration;
using EventBus.Kafka.Topics;

namespace EventBus.Kafka.Aws.Tests.RealBroker;

/// <summary>
/// Against the kit's real Kafka 2.4 broker over SASL_SSL: the library's token mechanism authenticates the producer,
/// the consumer and the admin client (unsigned JWTs, which the kit's unsecured validator accepts) and keeps them
/// authenticated across refreshes; the MSK signer's token reaches the broker, which refuses it as invalid_token
/// (only AWS can validate it).
/// </summary>
public sealed class OAuthBearerRealBrokerTests(KafkaKit kit, ITestOutputHelper output) : IClassFixture<KafkaKit>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task UnsignedJwt_ProvisionerProducerConsumer_AuthenticateOverSaslSsl_AndStayAuthenticatedAcrossRefreshes()
    {
        kit.EnsureRunning();
        var ct = TestContext.Current.CancellationToken;
        var topic = "oauth-" + Guid.NewGuid().ToString("N")[..8];
        var log = new LogCapture();
        // A short lifetime: librdkafka asks again at about 80 % of it, so every client refreshes within seconds.
        var provider = new UnsignedJwtTokenProvider("test-user", TimeSpan.FromSeconds(5));
        var options = Options(topic, ("KAFKA_CONSUMER_GROUP", "g-" + topic));
        options.Connection.SaslMechanism = KafkaSaslMechanism.OAuthBearer;
        options.Connection.OAuthBearerTokenProvider = provider;

        using var provisioner = new TopicProvisioner(options, logger: log.For<TopicProvisioner>());
        var report = await provisioner.ProvisionAsync(ct);
        Assert.Contains(topic, report.Created);

        await using var producer = new EventProducer(options, log.For<EventProducer>());
        var first = await producer.PublishAsync("IN", "first", "k", cancellationToken: ct);
        Assert.Equal(topic, first.Topic);

        var received = Channel.CreateUnbounded<string>();
        await using var consumer = new EventConsumerBuilder(options)
            .AddHandler<string>("IN", (context, _) => received.Writer.WriteAsync(context.Message!).AsTask())
            .WithLoggerFactory(log)
            .Build();
        consumer.Start();
        Assert.Equal("first", await ReadAsync(received));

        // Two refreshes of each client (the admin client's category is TopicProvisioner's), each handed to librdkafka.
        await log.WaitUntilAsync(
            () => Refreshes(log, nameof(EventProducer)) >= 2 && Refreshes(log, nameof(EventConsumer)) >= 2 && Refreshes(log, nameof(TopicProvisioner)) >= 2,
            Timeout,
            "two token refreshes of the producer, the consumer and the admin client");

        var second = await producer.PublishAsync("IN", "second", "k", cancellationToken: ct);
        Assert.Equal(first.Offset + 1, second.Offset);
        Assert.Equal("second", await ReadAsync(received));
        var verified = await provisioner.VerifyAsync(ct);
        Assert.True(verified.Succeeded, verified.ToString());

        Assert.DoesNotContain(log.Entries, e => e.EventId.Id == 5002);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("Authentication", StringComparison.OrdinalIgnoreCase) && e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        output.WriteLine($"{provider.Calls} tokens issued; refreshes: producer {Refreshes(log, nameof(EventProducer))}, consumer {Refreshes(log, nameof(EventConsumer))}, admin {Refreshes(log, nameof(TopicProvisioner))}");
        await consumer.StopAsync(ct);
    }

    [Fact]
    public async Task MskIamToken_ReachesTheBroker_RefusedAsInvalidToken_WithNoSecretLogged()
    {
        kit.EnsureRunning();
        const string secret = "Kit/Secret+Key=9Fq2";
        const string session = "Kit/Session+Token=7Hw4";
        var topic = "msk-" + Guid.NewGuid().ToString("N")[..8];
        var log = new LogCapture();
        var options = Options(topic, ("KAFKA_CONSUMER_GROUP", "g-" + topic), ("KAFKA_SASL_MECHANISM", "AWS_MSK_IAM"), ("AWS_REGION", "eu-west-1"));
        options.Connection.AdditionalProperties["debug"] = "security";
        options.Connection.OAuthBearerTokenProvider = new MskIamTokenProvider(
            "eu-west-1", new SessionAWSCredentials("ASIAKITEXAMPLE", secret, session), logger: log.CreateLogger("msk"));

        await using (var producer = new EventProducer(options, log.For<EventProducer>()))
        {
            var refused = await log.WaitForAsync(
                e => e.Category.EndsWith(nameof(EventProducer), StringComparison.Ordinal) && e.Message.Contains("""SASL authentication error: {"status":"invalid_token"}""", StringComparison.Ordinal),
                Timeout,
                "the broker's invalid_token refusal of the producer");
            output.WriteLine(refused.ToString());
        }

        await using (var consumer = new EventConsumerBuilder(options).AddHandler<string>("IN", (_, _) => Task.CompletedTask).WithLoggerFactory(log).Build())
        {
            consumer.Start();
            await log.WaitForAsync(
                e => e.Category.EndsWith(nameof(EventConsumer), StringComparison.Ordinal) && e.Message.Contains("invalid_token", StringComparison.Ordinal),
                Timeout,
                "the broker's invalid_token refusal of the consumer");
            await consumer.StopAsync(TestContext.Current.CancellationToken);
        }

        Assert.Contains(log.Entries, e => e.EventId.Id == 5000 && e.Message.Contains(nameof(MskIamTokenProvider), StringComparison.Ordinal));
        foreach (var entry in log.Entries)
        {
            var text = entry.ToString();
            Assert.False(text.Contains(secret, StringComparison.Ordinal) || text.Contains(session, StringComparison.Ordinal)
                || text.Contains(Uri.EscapeDataString(session), StringComparison.Ordinal), $"a credential value appears in: {text}");
        }
    }

    private static int Refreshes(LogCapture log, string category) =>
        log.Entries.Count(e => e.EventId.Id == 5001 && e.Category.EndsWith(category, StringComparison.Ordinal));

    private static async Task<string> ReadAsync(Channel<string> received)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        return await received.Reader.ReadAsync(timeout.Token);
    }

    private EventBusOptions Options(string topic, params (string Name, string? Value)[] extra)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = kit.BootstrapSaslSsl,
            ["SERVICE_NAME"] = "awstest",
            ["KAFKA_SECURITY_PROTOCOL"] = "SASL_SSL",
            ["SSL_CA_LOCATION"] = kit.CaPem,
            ["KAFKA_TOPIC_IN"] = topic,
            ["KAFKA_TOPIC_IN_PARTITIONS"] = "1",
            ["KAFKA_TOPIC_IN_REPLICATION"] = "1",
            ["KAFKA_TOPIC_IN_MIN_INSYNC_REPLICAS"] = "1",
            ["KAFKA_TOPIC_DLQ"] = topic + "-dlq",
            ["KAFKA_TOPIC_DLQ_REPLICATION"] = "1",
            ["KAFKA_TOPIC_DLQ_MIN_INSYNC_REPLICAS"] = "1",
            ["KAFKA_PRODUCER_CLOSE_TIMEOUT"] = "2",
            ["KAFKA_CONSUMER_SESSION_TIMEOUT_MS"] = "6000",
            ["KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS"] = "500",
        };
        foreach (var (name, value) in extra)
        {
            variables[name] = value;
        }

        var options = new EventBusOptions();
        EnvironmentVariableBinder.Bind(options, variables);
        return options;
    }
}
