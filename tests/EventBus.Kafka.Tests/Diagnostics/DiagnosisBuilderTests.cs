using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Tests.Diagnostics;

/// <summary>Each failure becomes one message: what is wrong, the variables to check, librdkafka's reason; never a secret.</summary>
public sealed class DiagnosisBuilderTests
{
    private const string Password = "pa55-word-that-must-not-show";

    [Theory]
    [InlineData(KafkaFailureCause.UnknownCertificateAuthority, "SSL_CA_LOCATION")]
    [InlineData(KafkaFailureCause.HostnameMismatch, "KAFKA_BOOTSTRAP_SERVERS")]
    [InlineData(KafkaFailureCause.CertificateExpired, "KAFKA_BOOTSTRAP_SERVERS")]
    [InlineData(KafkaFailureCause.CertificateRejected, "SSL_CA_LOCATION")]
    [InlineData(KafkaFailureCause.TlsClientOnPlaintextListener, "KAFKA_SECURITY_PROTOCOL")]
    [InlineData(KafkaFailureCause.PlaintextClientOnTlsListener, "KAFKA_SECURITY_PROTOCOL")]
    [InlineData(KafkaFailureCause.ClientCertificateRequired, "KAFKA_SSL_CERTFILE")]
    [InlineData(KafkaFailureCause.SaslAuthenticationFailed, "KAFKA_SASL_PASSWORD")]
    [InlineData(KafkaFailureCause.SaslMechanismRejected, "KAFKA_SASL_MECHANISM")]
    [InlineData(KafkaFailureCause.ConnectionRefused, "KAFKA_BOOTSTRAP_SERVERS")]
    [InlineData(KafkaFailureCause.NameResolution, "KAFKA_BOOTSTRAP_SERVERS")]
    [InlineData(KafkaFailureCause.ConnectionTimedOut, "KAFKA_BOOTSTRAP_SERVERS")]
    [InlineData(KafkaFailureCause.GroupAuthorization, "KAFKA_CONSUMER_GROUP")]
    public void Build_EachCause_NamesItsVariable_KeepsTheReason_NoSecret(KafkaFailureCause cause, string variable)
    {
        var reason = $"sasl_ssl://b1:9093/1: something librdkafka said, including {Password} had it leaked (after 5ms in state AUTH_REQ)";
        var failure = new FailureClassification(KafkaFailureKindOf(cause), cause, ErrorCode.Local_Authentication, reason, "sasl_ssl://b1:9093/1", "b1", 9093, false);

        var diagnosis = DiagnosisBuilder.Build(failure, Context(), topic: "orders");

        Assert.Contains(variable, diagnosis.Variables);
        Assert.Contains(variable, diagnosis.Message, StringComparison.Ordinal);
        Assert.Contains("something librdkafka said", diagnosis.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, diagnosis.Message, StringComparison.Ordinal);
        Assert.Contains("***", diagnosis.Reason, StringComparison.Ordinal);
        Assert.Equal(cause, diagnosis.Cause);
    }

    [Fact]
    public void Build_CertificateRejected_WithTheProbe_BecomesThePreciseCause()
    {
        var failure = FailureClassifier.Classify(ErrorCode.Local_Ssl, "ssl://vm:9093/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed (after 5ms in state SSL_HANDSHAKE)", false, SecurityProtocol.Ssl)!;
        TlsProbeResult Probe(bool untrusted = false, bool mismatch = false, bool expired = false) =>
            new(true, mismatch, expired, false, untrusted, "CN=localhost", "CN=kit CA", ["localhost", "127.0.0.1"], DateTime.UtcNow.AddDays(-9), DateTime.UtcNow.AddDays(expired ? -1 : 9), null);

        Assert.Equal(KafkaFailureCause.UnknownCertificateAuthority, DiagnosisBuilder.Build(failure, Context(), Probe(untrusted: true, mismatch: true)).Cause);
        Assert.Equal(KafkaFailureCause.CertificateExpired, DiagnosisBuilder.Build(failure, Context(), Probe(expired: true)).Cause);
        var mismatch = DiagnosisBuilder.Build(failure, Context(), Probe(mismatch: true));
        Assert.Equal(KafkaFailureCause.HostnameMismatch, mismatch.Cause);
        Assert.Contains("'vm'", mismatch.Summary, StringComparison.Ordinal);
        Assert.Contains("localhost, 127.0.0.1", mismatch.Summary, StringComparison.Ordinal);
        Assert.Equal(KafkaFailureCause.CertificateRejected, DiagnosisBuilder.Build(failure, Context(), TlsProbeResult.Nothing("refused")).Cause);
    }

    [Fact]
    public void Build_ConnectionClosedAtApiVersion_ProbeSawTls_PlaintextClientOnTlsListener()
    {
        var failure = FailureClassifier.Classify(ErrorCode.Local_Transport, "127.0.0.1:9093/bootstrap: Disconnected: connection closed by peer: receive 0 after POLLIN (after 1ms in state APIVERSION_QUERY)", false, SecurityProtocol.Plaintext)!;
        var context = DiagnosisContext.From("consumer", new ConsumerConfig { BootstrapServers = "127.0.0.1:9093", SecurityProtocol = SecurityProtocol.Plaintext });

        var diagnosis = DiagnosisBuilder.Build(failure, context, new TlsProbeResult(true, false, false, false, false, null, null, [], null, null, null));

        Assert.Equal((KafkaFailureKind.Tls, KafkaFailureCause.PlaintextClientOnTlsListener), (diagnosis.Kind, diagnosis.Cause));
        Assert.True(diagnosis.IsConfigurationError);
        Assert.Contains("KAFKA_SECURITY_PROTOCOL=SSL", diagnosis.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_TopicAuthorization_NamesPrincipalTopicOperationAndTheAclToGrant()
    {
        var failure = FailureClassifier.Classify(ErrorCode.TopicAuthorizationFailed, "Broker: Topic authorization failed", false, SecurityProtocol.SaslSsl)!;

        var diagnosis = DiagnosisBuilder.Build(failure, Context(), topic: "orders");

        Assert.Contains("User:svc is not allowed to Write topic 'orders'", diagnosis.Message, StringComparison.Ordinal);
        Assert.Contains("kafka-acls --add --allow-principal User:svc --operation Write --topic orders", diagnosis.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_SASL_USERNAME", diagnosis.Message, StringComparison.Ordinal);
    }

    private static DiagnosisContext Context() => DiagnosisContext.From("producer", new ProducerConfig
    {
        BootstrapServers = "b1:9093,b2:9093",
        SecurityProtocol = SecurityProtocol.SaslSsl,
        SaslMechanism = SaslMechanism.ScramSha512,
        SaslUsername = "svc",
        SaslPassword = Password,
        SslCaLocation = "/etc/kafka/ca.pem",
    }, groupId: "orders-group");

    private static KafkaFailureKind KafkaFailureKindOf(KafkaFailureCause cause) => cause switch
    {
        KafkaFailureCause.SaslAuthenticationFailed or KafkaFailureCause.SaslMechanismRejected => KafkaFailureKind.Authentication,
        KafkaFailureCause.ConnectionRefused or KafkaFailureCause.NameResolution or KafkaFailureCause.ConnectionTimedOut => KafkaFailureKind.Unreachable,
        KafkaFailureCause.GroupAuthorization => KafkaFailureKind.Authorization,
        _ => KafkaFailureKind.Tls,
    };
}
