using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Tests.Configuration;

/// <summary>
/// The OAUTHBEARER registration point and the AWS_MSK_IAM rules, in a project that does not reference
/// EventBus.Kafka.Aws (so the package is absent, as in a service that forgot it).
/// </summary>
public sealed class OAuthBearerRegistrationTests
{
    private const string PackageHint = "dotnet add package EventBus.Kafka.Aws";

    [Fact]
    public void AwsMskIam_WithoutAwsPackage_FailsNamingThePackageToAdd()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_SASL_MECHANISM", "AWS_MSK_IAM"), ("AWS_REGION", "eu-west-1"))));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("KAFKA_SASL_MECHANISM", problem.Variable);
        Assert.Contains(PackageHint, problem.Message, StringComparison.Ordinal);
        Assert.Contains(PackageHint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AwsMskIam_WithoutAwsPackage_BuildingAClientFailsTheSameWay()
    {
        var options = Bind(("KAFKA_SASL_MECHANISM", "AWS_MSK_IAM"), ("AWS_REGION", "eu-west-1"));

        var ex = Assert.Throws<EventBusConfigurationException>(() => new EventBus.Kafka.Producing.EventProducer(options));

        Assert.Contains(PackageHint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AwsMskIam_WithoutProtocol_ImpliesSaslSslForEveryClient()
    {
        var options = Bind(("KAFKA_SASL_MECHANISM", "AWS_MSK_IAM"), ("AWS_REGION", "eu-west-1"), ("KAFKA_CONSUMER_GROUP", "g"));
        options.Connection.OAuthBearerTokenProvider = new UnsignedJwtTokenProvider();

        Assert.Empty(EventBusOptionsValidator.Collect(options, EventBusClientKinds.All));
        Assert.Equal(SecurityProtocol.SaslSsl, options.Connection.GetEffectiveSecurityProtocol());
        ClientConfig[] configs =
        [
            KafkaClientConfigFactory.CreateProducerConfig(options),
            KafkaClientConfigFactory.CreateConsumerConfig(options),
            KafkaClientConfigFactory.CreateAdminClientConfig(options),
        ];
        Assert.All(configs, c =>
        {
            Assert.Equal(SecurityProtocol.SaslSsl, c.SecurityProtocol);
            Assert.Equal(SaslMechanism.OAuthBearer, c.SaslMechanism);
            Assert.Null(c.SaslUsername);
            Assert.Null(c.SaslPassword);
        });
    }

    [Fact]
    public void AwsMskIam_WithSaslPlaintext_IsAValidationErrorNamingSecurityProtocol()
    {
        var options = Bind(("KAFKA_SASL_MECHANISM", "AWS_MSK_IAM"), ("AWS_REGION", "eu-west-1"), ("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"));
        options.Connection.OAuthBearerTokenProvider = new UnsignedJwtTokenProvider();

        var problem = Assert.Single(EventBusOptionsValidator.Collect(options, EventBusClientKinds.Producer));

        Assert.Equal("KAFKA_SECURITY_PROTOCOL", problem.Variable);
        Assert.Contains("must be SASL_SSL", problem.Message, StringComparison.Ordinal);
        Assert.Throws<EventBusConfigurationException>(() => KafkaClientConfigFactory.CreateProducerConfig(options));
    }

    [Fact]
    public void AwsMskIam_FromVariables_WithSaslPlaintextAndNoRegion_ListsEveryProblem()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_SASL_MECHANISM", "AWS_MSK_IAM"), ("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"))));

        Assert.Equal(
            ["AWS_REGION", "KAFKA_SASL_MECHANISM", "KAFKA_SECURITY_PROTOCOL"],
            ex.Problems.Select(p => p.Variable).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void OAuthBearer_WithoutProvider_NamesTheProviderProperty()
    {
        var options = Bind();
        options.Connection.SaslMechanism = KafkaSaslMechanism.OAuthBearer;

        var problem = Assert.Single(EventBusOptionsValidator.Collect(options, EventBusClientKinds.Producer));

        Assert.Equal("KAFKA_SASL_MECHANISM", problem.Variable);
        Assert.Contains(nameof(KafkaConnectionOptions.OAuthBearerTokenProvider), problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OAuthBearer_WithProvider_IsValidAndMapsToOAuthBearerOverSaslSsl()
    {
        var options = Bind();
        options.Connection.SaslMechanism = KafkaSaslMechanism.OAuthBearer;
        options.Connection.OAuthBearerTokenProvider = new UnsignedJwtTokenProvider();

        var config = KafkaClientConfigFactory.CreateProducerConfig(options);

        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
        Assert.Equal(SaslMechanism.OAuthBearer, config.SaslMechanism);
    }

    [Fact]
    public void OAuthBearerSaslMechanism_IsNotAnEnvironmentValue()
    {
        // OAUTHBEARER needs a provider in code, so the variable does not offer it.
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(("KAFKA_SASL_MECHANISM", "OAUTHBEARER"))));

        Assert.Contains(ex.Problems, p => p.Variable == "KAFKA_SASL_MECHANISM");
    }

    [Fact]
    public void ResolveProvider_ProviderSetInCode_WinsForBothMechanisms()
    {
        var provider = new UnsignedJwtTokenProvider();
        foreach (var mechanism in new[] { KafkaSaslMechanism.OAuthBearer, KafkaSaslMechanism.AwsMskIam })
        {
            var connection = new KafkaConnectionOptions { SaslMechanism = mechanism, AwsRegion = "eu-west-1", OAuthBearerTokenProvider = provider };

            Assert.Same(provider, OAuthBearerAuthentication.ResolveProvider(connection, NullLogger.Instance));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(KafkaSaslMechanism.Plain)]
    [InlineData(KafkaSaslMechanism.ScramSha512)]
    public void ResolveProvider_MechanismWithoutTokens_IsNullEvenWithAProvider(KafkaSaslMechanism? mechanism)
    {
        var connection = new KafkaConnectionOptions { SaslMechanism = mechanism, OAuthBearerTokenProvider = new UnsignedJwtTokenProvider() };

        Assert.Null(OAuthBearerAuthentication.ResolveProvider(connection, NullLogger.Instance));
    }

    [Fact]
    public void ResolveProvider_AwsMskIamWithoutPackage_ThrowsNamingThePackage()
    {
        var connection = new KafkaConnectionOptions { SaslMechanism = KafkaSaslMechanism.AwsMskIam, AwsRegion = "eu-west-1" };

        Assert.False(OAuthBearerAuthentication.IsAwsMskIamPackageAvailable());
        var ex = Assert.Throws<EventBusConfigurationException>(() => OAuthBearerAuthentication.ResolveProvider(connection, NullLogger.Instance));
        Assert.Contains(PackageHint, ex.Message, StringComparison.Ordinal);
    }

    private static EventBusOptions Bind(params (string Name, string? Value)[] variables)
    {
        var options = new EventBusOptions();
        EnvironmentVariableBinder.Bind(options, Variables.With(variables));
        return options;
    }
}
