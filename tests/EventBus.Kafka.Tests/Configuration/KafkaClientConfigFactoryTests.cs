using System.Text.RegularExpressions;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.Tests.Configuration;

public sealed partial class KafkaClientConfigFactoryTests
{
    [Fact]
    public void ProducerConfig_Defaults_AcksAllIdempotentSnappy()
    {
        var config = KafkaClientConfigFactory.CreateProducerConfig(EventBusOptions.FromVariables(Variables.Required()));

        Assert.Equal(Acks.All, config.Acks);
        Assert.True(config.EnableIdempotence);
        Assert.Equal(CompressionType.Snappy, config.CompressionType);
        Assert.Equal(5, config.LingerMs);
        Assert.Equal(100, config.RetryBackoffMs);
        Assert.Equal("broker-1:9092,broker-2:9092", config.BootstrapServers);
        Assert.Equal(SecurityProtocol.Ssl, config.SecurityProtocol);
    }

    [Fact]
    public void ClientId_ServiceHostAndEightHex_UniquePerClient()
    {
        var options = EventBusOptions.FromVariables(Variables.Required());

        var first = KafkaClientConfigFactory.CreateProducerConfig(options).ClientId;
        var second = KafkaClientConfigFactory.CreateProducerConfig(options).ClientId;

        var host = ClientIdCharacters().Replace(Environment.MachineName, "-");
        Assert.Matches($"^orders-{Regex.Escape(host)}-[0-9a-f]{{8}}$", first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void ConsumerConfig_ManualCommitCooperativeStickySeedTimeouts()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_CONSUMER_GROUP", "orders-group")));

        var config = KafkaClientConfigFactory.CreateConsumerConfig(options);

        Assert.Equal("orders-group", config.GroupId);
        Assert.False(config.EnableAutoCommit);
        Assert.False(config.EnableAutoOffsetStore);
        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, config.PartitionAssignmentStrategy);
        Assert.Equal(AutoOffsetReset.Earliest, config.AutoOffsetReset);
        Assert.Equal(1_800_000, config.MaxPollIntervalMs);
        Assert.Equal(45_000, config.SessionTimeoutMs);
        Assert.Equal(15_000, config.HeartbeatIntervalMs);
        Assert.Equal(1, config.FetchMinBytes);
        Assert.Equal(500, config.FetchWaitMaxMs);
        Assert.StartsWith("orders-", config.ClientId, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsumerConfig_WithoutGroup_ThrowsNamingVariable()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() =>
            KafkaClientConfigFactory.CreateConsumerConfig(EventBusOptions.FromVariables(Variables.Required())));

        Assert.Equal("KAFKA_CONSUMER_GROUP", Assert.Single(ex.Problems).Variable);
    }

    [Fact]
    public void AdminConfig_CarriesConnectionAndSecurity()
    {
        var options = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"), ("KAFKA_SASL_USERNAME", "svc"), ("KAFKA_SASL_PASSWORD", "pw")));

        var config = KafkaClientConfigFactory.CreateAdminClientConfig(options);

        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
        Assert.Equal(SaslMechanism.ScramSha512, config.SaslMechanism);
        Assert.Equal("svc", config.SaslUsername);
        Assert.Equal("pw", config.SaslPassword);
    }

    [Fact]
    public void MutualTls_MappedToSslProperties()
    {
        using var ca = new TempFile();
        using var cert = new TempFile();
        using var key = new TempFile();
        var options = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_SSL_CAFILE", ca.Path), ("KAFKA_SSL_CERTFILE", cert.Path), ("KAFKA_SSL_KEYFILE", key.Path), ("KAFKA_SSL_PASSWORD", "kp")));

        var config = KafkaClientConfigFactory.CreateProducerConfig(options);

        Assert.Equal(ca.Path, config.SslCaLocation);
        Assert.Equal(cert.Path, config.SslCertificateLocation);
        Assert.Equal(key.Path, config.SslKeyLocation);
        Assert.Equal("kp", config.SslKeyPassword);
    }

    [Fact]
    public void Plaintext_NoSslProperties()
    {
        var config = KafkaClientConfigFactory.CreateProducerConfig(
            EventBusOptions.FromVariables(Variables.With(("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"))));

        Assert.Equal(SecurityProtocol.Plaintext, config.SecurityProtocol);
        Assert.Null(config.SslCaLocation);
    }

    [Fact]
    public void AwsMskIam_MapsToOAuthBearerOverSaslSsl()
    {
        // This test project does not reference EventBus.Kafka.Aws, so a provider set in code stands in for it.
        var options = new EventBusOptions();
        EnvironmentVariableBinder.Bind(options, Variables.With(("KAFKA_SASL_MECHANISM", "AWS_MSK_IAM"), ("AWS_REGION", "eu-west-1")));
        options.Connection.OAuthBearerTokenProvider = new UnsignedJwtTokenProvider();
        var config = KafkaClientConfigFactory.CreateProducerConfig(options);

        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
        Assert.Equal(SaslMechanism.OAuthBearer, config.SaslMechanism);
        Assert.Null(config.SaslPassword);
    }

    [Fact]
    public void AdditionalProperties_AppliedLast_ClientSpecificWins()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_CONSUMER_GROUP", "g")));
        options.Connection.AdditionalProperties["socket.keepalive.enable"] = "true";
        options.Connection.AdditionalProperties["statistics.interval.ms"] = "1000";
        options.Producer.AdditionalProperties["statistics.interval.ms"] = "5000";
        options.Producer.AdditionalProperties["linger.ms"] = "50";
        options.Consumer.AdditionalProperties["fetch.max.bytes"] = "1048576";

        var producer = KafkaClientConfigFactory.CreateProducerConfig(options);
        var consumer = KafkaClientConfigFactory.CreateConsumerConfig(options);

        Assert.Equal("true", producer.Get("socket.keepalive.enable"));
        Assert.Equal("5000", producer.Get("statistics.interval.ms"));
        Assert.Equal(50, producer.LingerMs);
        Assert.Equal("1000", consumer.Get("statistics.interval.ms"));
        Assert.Equal("1048576", consumer.Get("fetch.max.bytes"));
        Assert.Null(producer.Get("fetch.max.bytes"));
    }

    [Fact]
    public void OverriddenVariables_ReachTheClientConfigs()
    {
        var options = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_PRODUCER_COMPRESSION_TYPE", "lz4"), ("KAFKA_PRODUCER_LINGER_MS", "0"), ("KAFKA_PRODUCER_RETRY_BACKOFF_MS", "50"),
            ("KAFKA_CONSUMER_GROUP", "g"), ("KAFKA_CONSUMER_AUTO_OFFSET_RESET", "latest"), ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "10000"),
            ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "3000"), ("KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "60000"),
            ("KAFKA_CONSUMER_FETCH_MIN_BYTES", "10"), ("KAFKA_CONSUMER_FETCH_WAIT_MAX_MS", "50")));

        var producer = KafkaClientConfigFactory.CreateProducerConfig(options);
        var consumer = KafkaClientConfigFactory.CreateConsumerConfig(options);

        Assert.Equal((CompressionType.Lz4, 0, 50), (producer.CompressionType!.Value, producer.LingerMs!.Value, producer.RetryBackoffMs!.Value));
        Assert.Equal(
            (AutoOffsetReset.Latest, 10_000, 3_000, 60_000, 10, 50),
            (consumer.AutoOffsetReset!.Value, consumer.SessionTimeoutMs!.Value, consumer.HeartbeatIntervalMs!.Value, consumer.MaxPollIntervalMs!.Value, consumer.FetchMinBytes!.Value, consumer.FetchWaitMaxMs!.Value));
    }

    [GeneratedRegex("[^a-zA-Z0-9._-]")]
    private static partial Regex ClientIdCharacters();
}
