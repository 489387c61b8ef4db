using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Tests.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Aws.Tests;

/// <summary>With the package referenced, KAFKA_SASL_MECHANISM=AWS_MSK_IAM and AWS_REGION are all it takes.</summary>
public sealed class MskIamRegistrationTests
{
    private static readonly Dictionary<string, string?> Variables = new(StringComparer.Ordinal)
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:9",
        ["SERVICE_NAME"] = "orders",
        ["KAFKA_SASL_MECHANISM"] = "AWS_MSK_IAM",
        ["AWS_REGION"] = "eu-west-1",
    };

    [Fact]
    public void Validation_WithThePackageReferenced_Passes()
    {
        var options = EventBusOptions.FromVariables(Variables);

        Assert.Null(options.Connection.OAuthBearerTokenProvider);
        Assert.Equal(Confluent.Kafka.SecurityProtocol.SaslSsl, options.Connection.GetEffectiveSecurityProtocol());
    }

    [Fact]
    public void Validation_WithSaslPlaintext_StillFailsNamingSecurityProtocol()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(
            new Dictionary<string, string?>(Variables) { ["KAFKA_SECURITY_PROTOCOL"] = "SASL_PLAINTEXT" }));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("KAFKA_SECURITY_PROTOCOL", problem.Variable);
    }

    [Fact]
    public void Factory_CreatesAProviderForTheRegion()
    {
        var provider = new MskIamTokenProviderFactory().Create(new KafkaConnectionOptions { AwsRegion = " eu-central-1 " }, NullLogger.Instance);

        var msk = Assert.IsType<MskIamTokenProvider>(provider);
        Assert.Equal("eu-central-1", msk.Region);
        Assert.Equal("kafka.eu-central-1.amazonaws.com", msk.Host);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("eu-west-1.example.com")]
    public void Factory_NoOrBadRegion_ThrowsNamingAwsRegion(string? region)
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => new MskIamTokenProviderFactory().Create(new KafkaConnectionOptions { AwsRegion = region }, NullLogger.Instance));

        Assert.Equal("AWS_REGION", Assert.Single(ex.Problems).Variable);
    }

    [Fact]
    public void FactoryTypeName_IsTheOneCoreLooksFor()
    {
        // The core finds the factory by this name; renaming either side breaks AWS_MSK_IAM without a compile error.
        Assert.Equal("EventBus.Kafka.Aws.MskIamTokenProviderFactory, EventBus.Kafka.Aws", $"{typeof(MskIamTokenProviderFactory).FullName}, {typeof(MskIamTokenProviderFactory).Assembly.GetName().Name}");
    }

    [Fact]
    public void ProviderSetInCode_IsUsedInsteadOfTheDiscoveredOne()
    {
        var options = EventBusOptions.FromVariables(Variables);
        var provider = new UnsignedJwtTokenProvider();
        options.Connection.OAuthBearerTokenProvider = provider;

        Assert.Empty(EventBusOptionsValidator.Collect(options, EventBusClientKinds.Producer));
    }
}

/// <summary>
/// The whole path from the environment: a producer built from AWS_MSK_IAM variables finds the package's provider, which
/// signs with credentials from the default chain (here its first link, the environment variables), and librdkafka takes
/// the token. Changes the process environment, so it runs alone.
/// </summary>
[Collection(nameof(ProcessEnvironmentCollection))]
public sealed class MskIamDiscoveryTests
{
    private const string Secret = "discovery-secret-Zq7w9";
    private const string Session = "discovery-session-Yx3v8";

    [Fact]
    public async Task Producer_FromVariables_FindsTheAwsProvider_SignsWithTheDefaultChain_LibrdkafkaTakesTheToken()
    {
        using var environment = new EnvironmentScope(
            ("AWS_ACCESS_KEY_ID", "ASIADISCOVERYEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", Secret), ("AWS_SESSION_TOKEN", Session));
        var log = new LogCapture();
        var options = EventBusOptions.FromVariables(new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:9", // nothing listens: librdkafka still asks for its token at start
            ["SERVICE_NAME"] = "orders",
            ["KAFKA_SASL_MECHANISM"] = "AWS_MSK_IAM",
            ["AWS_REGION"] = "eu-west-1",
            ["KAFKA_PRODUCER_CLOSE_TIMEOUT"] = "0",
        });

        await using (var producer = new EventProducer(options, log.For<EventProducer>()))
        {
            var set = await log.WaitForAsync(e => e.EventId.Id == 5000, TimeSpan.FromSeconds(30), "the first token");
            Assert.Contains(nameof(MskIamTokenProvider), set.Message, StringComparison.Ordinal);
            Assert.Contains(producer.ClientId, set.Message, StringComparison.Ordinal);
        }

        var source = Assert.Single(log.Entries, e => e.EventId.Id == 5050);
        Assert.Contains("environment variables", source.Message, StringComparison.Ordinal);
        Assert.Contains("kafka.eu-west-1.amazonaws.com", source.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Entries, e => e.ToString().Contains(Secret, StringComparison.Ordinal) || e.ToString().Contains(Session, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Producer_NoCredentialsAnywhere_AuthenticationErrorNamesRegionAndTheSourcesTried()
    {
        // No keys, no profile files, no web identity, no container credentials; instance metadata is off (AssemblySetup).
        using var environment = new EnvironmentScope(
            ("AWS_ACCESS_KEY_ID", null), ("AWS_SECRET_ACCESS_KEY", null), ("AWS_SESSION_TOKEN", null), ("AWS_PROFILE", null),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/eventbus-test/credentials"), ("AWS_CONFIG_FILE", "/nonexistent/eventbus-test/config"),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", null), ("AWS_ROLE_ARN", null),
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", null), ("AWS_CONTAINER_CREDENTIALS_FULL_URI", null));
        var log = new LogCapture();
        var options = EventBusOptions.FromVariables(new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:9",
            ["SERVICE_NAME"] = "orders",
            ["KAFKA_SASL_MECHANISM"] = "AWS_MSK_IAM",
            ["AWS_REGION"] = "eu-west-1",
            ["KAFKA_PRODUCER_CLOSE_TIMEOUT"] = "0",
        });

        await using var producer = new EventProducer(options, log.For<EventProducer>());

        // librdkafka's own error callback: "Local_Authentication: Failed to acquire SASL OAUTHBEARER token: AWS_MSK_IAM ..."
        var error = await log.WaitForAsync(e => e.EventId.Id == 6000 && e.Message.Contains("Authentication", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the authentication error");
        Assert.Contains("SASL OAUTHBEARER token", error.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_REGION=eu-west-1", error.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_ACCESS_KEY_ID", error.Message, StringComparison.Ordinal);
        Assert.Contains("kafka-cluster:Connect", error.Message, StringComparison.Ordinal);
    }
}

[CollectionDefinition(nameof(ProcessEnvironmentCollection), DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;

/// <summary>Sets process environment variables and restores them.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly List<(string Name, string? Value)> _previous = [];

    public EnvironmentScope(params (string Name, string? Value)[] variables)
    {
        foreach (var (name, value) in variables)
        {
            _previous.Add((name, Environment.GetEnvironmentVariable(name)));
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
