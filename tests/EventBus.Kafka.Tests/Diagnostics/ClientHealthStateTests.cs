using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace EventBus.Kafka.Tests.Diagnostics;

/// <summary>Healthy → Degraded (diagnosis, since) → Healthy on a success; Failed and Closed final; the fail-fast gate.</summary>
public sealed class ClientHealthStateTests
{
    private static readonly DiagnosisContext Context = DiagnosisContext.From("producer", new ProducerConfig { BootstrapServers = "b:9093", SecurityProtocol = SecurityProtocol.Ssl });

    [Fact]
    public void DegradedThenRecovered_SinceAndLastErrorKept()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var state = new ClientHealthState(time);
        var refused = Diagnosis(KafkaFailureCause.ConnectionRefused);

        time.Advance(TimeSpan.FromSeconds(5));
        state.Degrade(refused);
        var degradedAt = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(5));
        state.Degrade(refused);
        var degraded = state.Snapshot();
        Assert.True(state.Recover(out var ended, out var lasted));
        var healthy = state.Snapshot();

        Assert.Equal((KafkaHealthStatus.Degraded, degradedAt), (degraded.Status, degraded.Since));
        Assert.Same(refused, degraded.Diagnosis);
        Assert.Same(refused, ended);
        Assert.Equal(TimeSpan.FromSeconds(5), lasted);
        Assert.Equal((KafkaHealthStatus.Healthy, (KafkaDiagnosis?)null), (healthy.Status, healthy.Diagnosis));
        Assert.Same(refused, healthy.LastError);
        Assert.Equal(time.GetUtcNow(), healthy.Since);
        Assert.False(state.Recover(out _, out _));
    }

    [Fact]
    public void TlsFailureWithNoSuccessLately_FailsFast_UntilItStopsRecurringForTheHold()
    {
        var time = new FakeTimeProvider();
        var state = new ClientHealthState(time);
        var tls = Diagnosis(KafkaFailureCause.UnknownCertificateAuthority);

        Assert.True(state.Degrade(tls));                 // starts failing at once
        Assert.False(state.Degrade(tls));                // already
        Assert.Same(tls, state.FailFast);
        time.Advance(ClientHealthState.FailFastHold - TimeSpan.FromSeconds(1));
        Assert.NotNull(state.FailFast);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(state.FailFast);                     // not seen for the hold: let the next attempt reach the broker
        Assert.True(state.Degrade(tls));                 // it fails again: fail fast again
    }

    [Fact]
    public void TlsFailureRightAfterASuccess_OneBrokerOfSeveral_DoesNotFailFast()
    {
        var time = new FakeTimeProvider();
        var state = new ClientHealthState(time);
        state.Degrade(Diagnosis(KafkaFailureCause.ConnectionRefused));
        state.Recover(out _, out _);

        Assert.False(state.Degrade(Diagnosis(KafkaFailureCause.HostnameMismatch)));
        Assert.Null(state.FailFast);
        Assert.True(state.IsDegraded);
    }

    [Theory]
    [InlineData(KafkaFailureCause.ConnectionRefused)]
    [InlineData(KafkaFailureCause.TopicAuthorization)]
    public void UnreachableOrAuthorization_NeverFailsFast(KafkaFailureCause cause)
    {
        var state = new ClientHealthState(new FakeTimeProvider());

        Assert.False(state.Degrade(Diagnosis(cause)));
        Assert.Null(state.FailFast);
    }

    [Fact]
    public void FailedAndClosed_AreFinal()
    {
        var state = new ClientHealthState(new FakeTimeProvider());
        var fatal = Diagnosis(KafkaFailureCause.FatalError);

        state.Fail(fatal);
        state.Degrade(Diagnosis(KafkaFailureCause.ConnectionRefused));
        Assert.False(state.Recover(out _, out _));
        Assert.Equal((KafkaHealthStatus.Failed, fatal), (state.Snapshot().Status, state.Snapshot().Diagnosis));
        state.Close();
        Assert.Equal((KafkaHealthStatus.Closed, fatal), (state.Snapshot().Status, state.Snapshot().Diagnosis));
    }

    internal static KafkaDiagnosis Diagnosis(KafkaFailureCause cause)
    {
        var kind = cause switch
        {
            KafkaFailureCause.ConnectionRefused => KafkaFailureKind.Unreachable,
            KafkaFailureCause.TopicAuthorization => KafkaFailureKind.Authorization,
            KafkaFailureCause.FatalError => KafkaFailureKind.Fatal,
            _ => KafkaFailureKind.Tls,
        };
        return DiagnosisBuilder.Build(new FailureClassification(kind, cause, ErrorCode.Local_Ssl, "b:9093/1: reason", "b:9093/1", "b", 9093, false), Context, topic: "t");
    }
}
