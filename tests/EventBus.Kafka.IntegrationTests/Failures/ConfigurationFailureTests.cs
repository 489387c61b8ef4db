using System.Net;
using EventBus.Kafka.Diagnostics;
using EventBus.Kafka.IntegrationTests.Infrastructure;

namespace EventBus.Kafka.IntegrationTests.Failures;

/// <summary>
/// The configuration errors of the failure table, a test per row: TLS (wrong CA, host name mismatch, expired
/// certificate, TLS against a plaintext listener and the reverse) and authentication (wrong password). Each fails the
/// producer's pending, new and synchronous publishes within seconds, not retriable, with the diagnosis; degrades the
/// consumer; fails ProvisionAsync and the tool (exit 1); logs a handful of lines, never a secret.
/// </summary>
public sealed class ConfigurationFailureTests(KafkaTestBroker broker, ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("eventbus-fail-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task WrongCa_EveryClientSaysUnknownCa_NamesSslCaLocation()
    {
        var ssl = broker.SecurityVariables(TestListener.Ssl);
        var ca = Path.Combine(_directory, "unrelated-ca.pem");
        TlsTestServer.WriteUnrelatedCa(ca);

        var run = await FailureScenario.RunAsync("wrong-ca", [.. ssl.Where(v => v.Name != "SSL_CA_LOCATION"), ("SSL_CA_LOCATION", ca)],
            new ExpectedFailure(KafkaFailureKind.Tls, KafkaFailureCause.UnknownCertificateAuthority, "SSL_CA_LOCATION"), output);

        FailureScenario.AssertConfigurationError(run);
    }

    [Fact]
    public async Task HostnameMismatch_EveryClientSaysTheNameIsNotOnTheCertificate_NamesBootstrapServers()
    {
        var ssl = broker.SecurityVariables(TestListener.Ssl);
        var host = Dns.GetHostName();
        if (!(await Dns.GetHostAddressesAsync(host, TestContext.Current.CancellationToken)).Any(IPAddress.IsLoopback) || host is "localhost")
        {
            Assert.Skip($"A host name mismatch needs another name of this machine that resolves to loopback; '{host}' does not.");
        }

        var bootstrap = ssl.Single(v => v.Name == "KAFKA_BOOTSTRAP_SERVERS").Value.Replace("127.0.0.1", host, StringComparison.Ordinal);
        var run = await FailureScenario.RunAsync("hostname", [.. ssl.Where(v => v.Name != "KAFKA_BOOTSTRAP_SERVERS"), ("KAFKA_BOOTSTRAP_SERVERS", bootstrap)],
            new ExpectedFailure(KafkaFailureKind.Tls, KafkaFailureCause.HostnameMismatch, "KAFKA_BOOTSTRAP_SERVERS"), output);

        FailureScenario.AssertConfigurationError(run);
        Assert.Contains($"'{host}'", run.PendingError!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPassword_EveryClientSaysCredentialsRefused_NamesSaslVariables_NeverThePassword()
    {
        var sasl = broker.SecurityVariables(TestListener.SaslSsl);
        var password = "wrong-" + Guid.NewGuid().ToString("N");

        var run = await FailureScenario.RunAsync("password", [.. sasl.Where(v => v.Name != "KAFKA_SASL_PASSWORD"), ("KAFKA_SASL_PASSWORD", password)],
            new ExpectedFailure(KafkaFailureKind.Authentication, KafkaFailureCause.SaslAuthenticationFailed, "KAFKA_SASL_PASSWORD"), output, password);

        FailureScenario.AssertConfigurationError(run);
        Assert.Contains("KAFKA_SASL_USERNAME", run.PendingError!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsClientOnPlaintextListener_EveryClientSaysSo_NamesSecurityProtocol()
    {
        // The default protocol is SSL: a service that forgot KAFKA_SECURITY_PROTOCOL=PLAINTEXT (any broker: the mock's listener is plaintext too).
        var ca = Path.Combine(_directory, "ca.pem");
        TlsTestServer.WriteUnrelatedCa(ca);

        var run = await FailureScenario.RunAsync("tls-on-plain", [("KAFKA_BOOTSTRAP_SERVERS", broker.BootstrapServers), ("KAFKA_SECURITY_PROTOCOL", "SSL"), ("SSL_CA_LOCATION", ca)],
            new ExpectedFailure(KafkaFailureKind.Tls, KafkaFailureCause.TlsClientOnPlaintextListener, "KAFKA_SECURITY_PROTOCOL"), output);

        FailureScenario.AssertConfigurationError(run);
    }

    [Fact]
    public async Task PlaintextClientOnTlsListener_EveryClientSaysSo_NamesSecurityProtocol()
    {
        var ssl = broker.SecurityVariables(TestListener.Ssl);

        var run = await FailureScenario.RunAsync("plain-on-tls", [("KAFKA_BOOTSTRAP_SERVERS", ssl.Single(v => v.Name == "KAFKA_BOOTSTRAP_SERVERS").Value), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")],
            new ExpectedFailure(KafkaFailureKind.Tls, KafkaFailureCause.PlaintextClientOnTlsListener, "KAFKA_SECURITY_PROTOCOL"), output);

        FailureScenario.AssertConfigurationError(run);
        Assert.Contains("KAFKA_SECURITY_PROTOCOL=SSL", run.PendingError!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredCertificate_OwnTlsListener_EveryClientSaysExpired()
    {
        // The kit has no expired certificate: a TLS listener of this test's own, whose handshake fails before any Kafka traffic.
        var ca = Path.Combine(_directory, "expired.pem");
        await using var server = TlsTestServer.StartSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1), ca);

        var run = await FailureScenario.RunAsync("expired", [("KAFKA_BOOTSTRAP_SERVERS", server.Address), ("KAFKA_SECURITY_PROTOCOL", "SSL"), ("SSL_CA_LOCATION", ca)],
            new ExpectedFailure(KafkaFailureKind.Tls, KafkaFailureCause.CertificateExpired, "KAFKA_BOOTSTRAP_SERVERS"), output);

        FailureScenario.AssertConfigurationError(run);
        Assert.Contains("expired on", run.PendingError!.Message, StringComparison.Ordinal);
    }
}
