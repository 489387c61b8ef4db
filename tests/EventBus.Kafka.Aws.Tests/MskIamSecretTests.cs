using Amazon.Runtime;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Tests.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace EventBus.Kafka.Aws.Tests;

/// <summary>No credential value in any log line or exception: every line is captured, at every level, librdkafka's debug output included.</summary>
public sealed class MskIamSecretTests
{
    private const string AccessKey = "ASIASECRETTESTEXAMPLE";
    private const string SecretKey = "Secret/Key+Value=Qw3rty9876";
    private const string SessionToken = "Session/Token+Value==Zx4cVb";

    private static readonly string[] Secrets =
    [
        SecretKey, SessionToken, Uri.EscapeDataString(SecretKey), Uri.EscapeDataString(SessionToken), SigV4QuerySigner.UriEncode(SessionToken),
    ];

    [Fact]
    public async Task SigningAndHandingTheToken_LogsNoSecretNorTheToken()
    {
        var log = new LogCapture();
        var provider = new MskIamTokenProvider("eu-west-1", new SessionAWSCredentials(AccessKey, SecretKey, SessionToken), logger: log.CreateLogger("msk"));

        var token = await provider.GetTokenAsync(TestContext.Current.CancellationToken);

        Assert.NotEmpty(log.Entries);
        AssertNoSecret(log, token.Value);
        AssertClean(token.ToString(), token.Value);
    }

    [Fact]
    public async Task Failures_ExceptionsHoldNoSecret()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        AWSCredentials[] failing =
        [
            new FakeAwsCredentials(_ => (new ImmutableCredentials(AccessKey, SecretKey, SessionToken), clock.GetUtcNow().AddMinutes(-1).UtcDateTime)),
            new FakeAwsCredentials(_ => (new ImmutableCredentials(AccessKey, "", SessionToken), null)),
            new FakeAwsCredentials(_ => throw new AmazonClientException("Error calling AssumeRoleWithWebIdentity: access denied")),
        ];

        foreach (var credentials in failing)
        {
            var ex = await Assert.ThrowsAsync<OAuthBearerTokenException>(() => new MskIamTokenProvider("eu-west-1", credentials, clock).GetTokenAsync(TestContext.Current.CancellationToken).AsTask());

            AssertClean(ex.ToString(), null);
            Assert.Contains("AWS_REGION=eu-west-1", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RealProducer_WithLibrdkafkaDebugLogs_LogsNoSecretNorTheToken()
    {
        var log = new LogCapture();
        var options = EventBusOptions.FromVariables(new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:9",
            ["SERVICE_NAME"] = "orders",
            ["KAFKA_SASL_MECHANISM"] = "AWS_MSK_IAM",
            ["AWS_REGION"] = "eu-west-1",
            ["KAFKA_PRODUCER_CLOSE_TIMEOUT"] = "0",
        });
        options.Connection.AdditionalProperties["debug"] = "security,broker,conf";
        var provider = new MskIamTokenProvider("eu-west-1", new SessionAWSCredentials(AccessKey, SecretKey, SessionToken), logger: log.CreateLogger("msk"));
        options.Connection.OAuthBearerTokenProvider = provider;

        await using (new EventProducer(options, log.For<EventProducer>()))
        {
            await log.WaitForAsync(e => e.EventId.Id == 5000, TimeSpan.FromSeconds(30), "the first token");
            await log.WaitForAsync(e => e.EventId.Id is 1008 or 6000 && e.Message.Contains("Connect to ipv4#127.0.0.1:9 failed", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "librdkafka's connection attempt");
        }

        Assert.Contains(log.Entries, e => e.EventId.Id == 1008 && e.Message.Contains("SASL", StringComparison.OrdinalIgnoreCase));
        // Every token of this host starts alike: a token in a log line would show this prefix.
        var tokenPrefix = (await provider.GetTokenAsync(TestContext.Current.CancellationToken)).Value[..60];
        AssertNoSecret(log, tokenPrefix);
    }

    internal static void AssertNoSecret(LogCapture log, string? token)
    {
        foreach (var entry in log.Entries)
        {
            AssertClean(entry.ToString(), token);
        }
    }

    private static void AssertClean(string text, string? token)
    {
        foreach (var secret in Secrets)
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"'{secret}' appears in: {text}");
        }

        if (token is not null)
        {
            Assert.False(text.Contains(token, StringComparison.Ordinal), $"the token appears in: {text}");
        }
    }
}
