using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.Tests.Configuration;

public sealed class SecretRedactionTests
{
    private const string SaslSecret = "sasl-Pa55word!";
    private const string KeySecret = "key-Pa55word!";

    [Fact]
    public void ToString_NeverShowsSecrets()
    {
        using var cert = new TempFile();
        using var key = new TempFile();
        var options = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_SASL_MECHANISM", "SCRAM-SHA-256"), ("KAFKA_SASL_USERNAME", "svc"), ("KAFKA_SASL_PASSWORD", SaslSecret),
            ("KAFKA_SSL_CERTFILE", cert.Path), ("KAFKA_SSL_KEYFILE", key.Path), ("KAFKA_SSL_PASSWORD", KeySecret)));
        options.Connection.AdditionalProperties["sasl.oauthbearer.client.secret"] = "oauth-secret";

        var text = options.ToString();

        Assert.DoesNotContain(SaslSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(KeySecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("oauth-secret", text, StringComparison.Ordinal);
        Assert.Contains("SaslPassword=***", text, StringComparison.Ordinal);
        Assert.Contains("SslKeyPassword=***", text, StringComparison.Ordinal);
        Assert.Contains("SaslUsername=svc", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigurationException_NeverShowsSecrets()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(new Dictionary<string, string?>
        {
            ["KAFKA_SECURITY_PROTOCOL"] = "SSL",
            ["KAFKA_SASL_MECHANISM"] = "PLAIN",
            ["KAFKA_SASL_PASSWORD"] = SaslSecret,
            ["KAFKA_SSL_PASSWORD"] = KeySecret,
            ["KAFKA_SSL_KEYFILE"] = "/nonexistent/key.pem",
        }));

        Assert.NotEmpty(ex.Problems);
        Assert.DoesNotContain(SaslSecret, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(KeySecret, ex.ToString(), StringComparison.Ordinal);
    }
}
