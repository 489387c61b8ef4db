using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Tests.Diagnostics;

/// <summary>librdkafka's texts, as they come (taken from runs against the kit), classified.</summary>
public sealed class FailureClassifierTests
{
    [Theory]
    [InlineData(ErrorCode.Local_Ssl, SecurityProtocol.Ssl, "ssl://127.0.0.1:24052/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified, verify that ssl.ca.location is correctly configured or root CA certificates are installed (install ca-certificates package) (after 98ms in state SSL_HANDSHAKE)", KafkaFailureKind.Tls, KafkaFailureCause.CertificateRejected, true)]
    [InlineData(ErrorCode.Local_Transport, SecurityProtocol.Ssl, "ssl://127.0.0.1:24052/bootstrap: error:0A000086:SSL routines::certificate verify failed (after 3ms in state SSL_HANDSHAKE)", KafkaFailureKind.Tls, KafkaFailureCause.CertificateRejected, true)]
    [InlineData(ErrorCode.Local_Transport, SecurityProtocol.Ssl, "ssl://127.0.0.1:25387/bootstrap: SSL handshake failed: Disconnected: SSL connection closed by peer: connecting to a PLAINTEXT broker listener? (after 4ms in state SSL_HANDSHAKE)", KafkaFailureKind.Tls, KafkaFailureCause.TlsClientOnPlaintextListener, false)]
    [InlineData(ErrorCode.Local_Transport, SecurityProtocol.Ssl, "ssl://127.0.0.1:25387/bootstrap: Disconnected: SSL connection closed by peer (after 1ms in state SSL_HANDSHAKE)", KafkaFailureKind.Tls, KafkaFailureCause.TlsClientOnPlaintextListener, false)]
    [InlineData(ErrorCode.Local_Ssl, SecurityProtocol.Ssl, "ssl://b:9093/1: SSL handshake failed: error:0A00045C:SSL routines::tlsv13 alert certificate required: client SSL authentication might be required (see ssl.key.location and ssl.certificate.location and consult the broker logs for more information) (after 5ms in state SSL_HANDSHAKE)", KafkaFailureKind.Tls, KafkaFailureCause.ClientCertificateRequired, false)]
    [InlineData(ErrorCode.Local_Authentication, SecurityProtocol.SaslSsl, "sasl_ssl://127.0.0.1:26245/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (after 172ms in state AUTH_REQ)", KafkaFailureKind.Authentication, KafkaFailureCause.SaslAuthenticationFailed, false)]
    [InlineData(ErrorCode.Local_Authentication, SecurityProtocol.SaslPlaintext, "Failed to acquire SASL OAUTHBEARER token: AWS_MSK_IAM: no AWS credentials", KafkaFailureKind.Authentication, KafkaFailureCause.OAuthBearerTokenUnavailable, false)]
    [InlineData(ErrorCode.Local_Transport, SecurityProtocol.Plaintext, "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT)", KafkaFailureKind.Unreachable, KafkaFailureCause.ConnectionRefused, false)]
    [InlineData(ErrorCode.Local_Resolve, SecurityProtocol.Plaintext, "no-such-host.invalid:9092/bootstrap: Failed to resolve 'no-such-host.invalid:9092': Name or service not known (after 5ms in state CONNECT)", KafkaFailureKind.Unreachable, KafkaFailureCause.NameResolution, false)]
    [InlineData(ErrorCode.Local_Transport, SecurityProtocol.Plaintext, "10.255.255.1:9092/bootstrap: Connection setup timed out in state CONNECT (after 30029ms in state CONNECT)", KafkaFailureKind.Unreachable, KafkaFailureCause.ConnectionTimedOut, false)]
    [InlineData(ErrorCode.Local_Transport, SecurityProtocol.Plaintext, "127.0.0.1:24052/bootstrap: Disconnected: connection closed by peer: receive 0 after POLLIN (after 1ms in state APIVERSION_QUERY)", KafkaFailureKind.Unreachable, KafkaFailureCause.ConnectionClosed, true)]
    [InlineData(ErrorCode.Local_Transport, SecurityProtocol.Ssl, "ssl://127.0.0.1:24052/bootstrap: Disconnected: connection closed by peer: receive 0 after POLLIN (after 1ms in state APIVERSION_QUERY)", KafkaFailureKind.Unreachable, KafkaFailureCause.ConnectionClosed, false)]
    [InlineData(ErrorCode.Local_AllBrokersDown, SecurityProtocol.Plaintext, "1/1 brokers are down", KafkaFailureKind.Unreachable, KafkaFailureCause.AllBrokersDown, false)]
    [InlineData(ErrorCode.TopicAuthorizationFailed, SecurityProtocol.Plaintext, "Broker: Topic authorization failed", KafkaFailureKind.Authorization, KafkaFailureCause.TopicAuthorization, false)]
    [InlineData(ErrorCode.GroupAuthorizationFailed, SecurityProtocol.Plaintext, "JoinGroup failed: Broker: Group authorization failed", KafkaFailureKind.Authorization, KafkaFailureCause.GroupAuthorization, false)]
    [InlineData(ErrorCode.Local_Transport, SecurityProtocol.Plaintext, "Fetch from broker 1 failed: Broker: Topic authorization failed", KafkaFailureKind.Authorization, KafkaFailureCause.TopicAuthorization, false)]
    public void Classify_LibrdkafkasOwnTexts(ErrorCode code, SecurityProtocol protocol, string text, KafkaFailureKind kind, KafkaFailureCause cause, bool probe)
    {
        var failure = FailureClassifier.Classify(code, text, false, protocol);

        Assert.NotNull(failure);
        Assert.Equal((kind, cause, probe), (failure.Kind, failure.Cause, failure.NeedsProbe));
        Assert.Equal(text, failure.Reason);
    }

    [Fact]
    public void Classify_LogLine_StripsTheThreadAndFindsTheBroker()
    {
        var failure = FailureClassifier.Classify(ErrorCode.Local_Ssl, "[thrd:ssl://vm:24052/bootstrap]: ssl://vm:24052/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed (after 18ms in state SSL_HANDSHAKE)", false, SecurityProtocol.Ssl);

        Assert.NotNull(failure);
        Assert.Equal(("ssl://vm:24052/bootstrap", "vm", 24052), (failure.Broker, failure.Host, failure.Port));
        Assert.StartsWith("ssl://vm:24052/bootstrap: SSL handshake failed", failure.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ErrorCode.Local_Transport, "127.0.0.1:9092/1: Disconnected (after 600012ms in state UP)")]
    [InlineData(ErrorCode.MsgSizeTooLarge, "Broker: Message size too large")]
    [InlineData(ErrorCode.Local_MaxPollExceeded, "Application maximum poll interval (300000ms) exceeded by 12ms")]
    public void Classify_NotAFailureItDiagnoses_Null(ErrorCode code, string text) =>
        Assert.Null(FailureClassifier.Classify(code, text, false, SecurityProtocol.Plaintext));

    [Fact]
    public void Classify_Fatal_IsFatal() =>
        Assert.Equal(KafkaFailureKind.Fatal, FailureClassifier.Classify(ErrorCode.OutOfOrderSequenceNumber, "idempotence lost", true, SecurityProtocol.Plaintext)?.Kind);

    [Fact]
    public void Normalize_TheSameFailureOnAnotherBrokerOrAfterAnotherTime_IsTheSameKey() =>
        Assert.Equal(
            FailureClassifier.Normalize("[thrd:ssl://a:1/1]: ssl://a:1/1: SSL handshake failed: x (after 98ms in state SSL_HANDSHAKE, 3 identical error(s) suppressed)"),
            FailureClassifier.Normalize("ssl://b:2/2: SSL handshake failed: x (after 7ms in state SSL_HANDSHAKE)"));
}
