using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Tests.Diagnostics;

/// <summary>What a failed publish says when a diagnosis is behind it.</summary>
public sealed class PublishErrorsDiagnosisTests
{
    [Fact]
    public void FailedAtOnceForTls_NotRetriable_CarriesTheDiagnosis_SaysItWasNotSent()
    {
        var tls = ClientHealthStateTests.Diagnosis(KafkaFailureCause.UnknownCertificateAuthority);

        var ex = PublishErrors.Delivery("t", "k", "id", new DiagnosedError(tls), fatal: false, failedForGood: false);

        Assert.False(ex.IsRetriable);
        Assert.Same(tls, ex.Diagnosis);
        Assert.Equal(ErrorCode.Local_Ssl, ex.ErrorCode);
        Assert.Contains("it was not sent, because TLS failure", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SSL_CA_LOCATION", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TimedOutWhileUnreachable_Retriable_SaysTheClusterMayComeBack()
    {
        var refused = ClientHealthStateTests.Diagnosis(KafkaFailureCause.ConnectionRefused);

        var ex = PublishErrors.Delivery("t", null, "id", new Error(ErrorCode.Local_MsgTimedOut, "Local: Message timed out"), false, false, refused);

        Assert.True(ex.IsRetriable);
        Assert.Same(refused, ex.Diagnosis);
        Assert.Contains("while the cluster was unreachable (Kafka unreachable: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("it may come back", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAuthorized_NotRetriable_KeepsItsCode()
    {
        var denied = ClientHealthStateTests.Diagnosis(KafkaFailureCause.TopicAuthorization);
        var error = new Error(ErrorCode.TopicAuthorizationFailed, "Broker: Topic authorization failed");

        var ex = PublishErrors.Delivery("t", null, "id", error, false, false, DiagnosisBuilder.Build(FailureClassifier.Classify(error, SecurityProtocol.Plaintext)!, DiagnosisContext.From("producer", new ProducerConfig { BootstrapServers = "b:1" }), topic: "t"));

        Assert.False(ex.IsRetriable);
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, ex.ErrorCode);
        Assert.Equal(KafkaFailureKind.Authorization, ex.Diagnosis?.Kind);
        Assert.Equal(KafkaFailureKind.Authorization, denied.Kind);
    }

    [Fact]
    public void SynchronousPublishNotAcknowledged_NamesTheFailureMeanwhile()
    {
        var refused = ClientHealthStateTests.Diagnosis(KafkaFailureCause.ConnectionRefused);

        var unreachable = PublishErrors.NotAcknowledged("t", null, "id", "5 s, KAFKA_PRODUCER_FLUSH_TIMEOUT", queued: true, refused);
        var quiet = PublishErrors.NotAcknowledged("t", null, "id", "5 s, KAFKA_PRODUCER_FLUSH_TIMEOUT", queued: true, null);

        Assert.True(unreachable.IsRetriable);
        Assert.Contains("meanwhile Kafka unreachable", unreachable.Message, StringComparison.Ordinal);
        Assert.Contains("may still be delivered", unreachable.Message, StringComparison.Ordinal);
        Assert.Null(quiet.Diagnosis);
        Assert.DoesNotContain("meanwhile", quiet.Message, StringComparison.Ordinal);
    }
}
