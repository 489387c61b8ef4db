using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Topics;

namespace EventBus.Kafka.Tests.Configuration;

/// <summary>
/// The real Confluent producer, consumer and admin client, built by EventBus with OAUTHBEARER, ask the provider through
/// the refresh handler and librdkafka takes the token (the "token set" line is logged only after librdkafka accepted it).
/// No broker is needed: librdkafka asks for the token when the client starts; the bootstrap address refuses connections.
/// </summary>
public sealed class OAuthBearerClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Producer_AsksTheProvider_AndLibrdkafkaTakesTheToken()
    {
        var provider = new UnsignedJwtTokenProvider();
        var log = new LogCapture();

        await using var producer = new EventProducer(Options(provider), log.For<EventProducer>());

        var line = await log.WaitForAsync(e => e.EventId.Id == 5000, Timeout, "the producer's first token");
        Assert.Contains(producer.ClientId, line.Message, StringComparison.Ordinal);
        Assert.Contains("UnsignedJwtTokenProvider", line.Message, StringComparison.Ordinal);
        Assert.True(provider.Calls >= 1);
    }

    [Fact]
    public async Task TopicProvisioner_AdminClient_AsksTheProvider_AndLibrdkafkaTakesTheToken()
    {
        var provider = new UnsignedJwtTokenProvider();
        var log = new LogCapture();

        using var provisioner = new TopicProvisioner(Options(provider), logger: log.For<TopicProvisioner>());

        await log.WaitForAsync(e => e.EventId.Id == 5000, Timeout, "the admin client's first token");
        Assert.True(provider.Calls >= 1);
    }

    [Fact]
    public async Task Consumer_AsksTheProvider_AndLibrdkafkaTakesTheToken()
    {
        var provider = new UnsignedJwtTokenProvider();
        var log = new LogCapture();
        var options = Options(provider, ("KAFKA_CONSUMER_GROUP", "g-oauth"), ("KAFKA_TOPIC_IN", "oauth-in"));

        await using var consumer = new EventConsumerBuilder(options)
            .AddHandler<string>("IN", (_, _) => Task.CompletedTask)
            .WithLoggerFactory(log)
            .Build();
        consumer.Start();

        await log.WaitForAsync(e => e.EventId.Id == 5000 && e.Category.EndsWith(nameof(EventConsumer), StringComparison.Ordinal), Timeout, "the consumer's first token");
        Assert.True(provider.Calls >= 1);
        await consumer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Producer_ProviderFails_SurfacesAsAnAuthenticationErrorWithTheReason()
    {
        const string reason = "AWS_MSK_IAM: no AWS credentials for AWS_REGION=eu-west-1 from the default chain";
        var log = new LogCapture();

        await using var producer = new EventProducer(Options(new FailingProvider(reason)), log.For<EventProducer>());

        var error = await log.WaitForAsync(e => e.EventId.Id == 6000 && e.Message.Contains("Authentication", StringComparison.Ordinal), Timeout, "librdkafka's authentication error");
        Assert.Contains("OAUTHBEARER", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains(log.Entries, e => e.EventId.Id == 5002 && e.Message.Contains(reason, StringComparison.Ordinal));
    }

    private static EventBusOptions Options(IOAuthBearerTokenProvider provider, params (string Name, string? Value)[] extra)
    {
        var options = new EventBusOptions();
        EnvironmentVariableBinder.Bind(options, Variables.With([
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9"), // discard port: nothing listens, connections are refused at once
            ("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"),
            ("KAFKA_PRODUCER_CLOSE_TIMEOUT", "0"),
            .. extra]));
        options.Connection.SaslMechanism = KafkaSaslMechanism.OAuthBearer;
        options.Connection.OAuthBearerTokenProvider = provider;
        return options;
    }

    private sealed class FailingProvider(string reason) : IOAuthBearerTokenProvider
    {
        public ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken) => throw new OAuthBearerTokenException(reason);
    }
}
