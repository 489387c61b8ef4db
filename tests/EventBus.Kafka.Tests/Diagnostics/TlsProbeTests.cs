using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Tests.Diagnostics;

/// <summary>The TLS probe against listeners of the test's own: it says why a certificate fails, and whether a listener speaks TLS.</summary>
public sealed class TlsProbeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly string _directory = Directory.CreateTempSubdirectory("eventbus-probe-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ExpiredCertificate_Expired_TrustedByItsOwnCa()
    {
        var pem = Path.Combine(_directory, "expired.pem");
        await using var listener = TestTlsListener.Start(pem, DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));

        var result = await TlsProbe.ProbeAsync("127.0.0.1", listener.Port, pem, Timeout, TimeProvider.System);

        Assert.True(result.SpokeTls, result.Failure);
        Assert.True(result.Expired);
        Assert.False(result.Untrusted);
        Assert.False(result.NameMismatch);
        Assert.True(result.NotAfter < DateTime.UtcNow);
    }

    [Fact]
    public async Task NameNotOnTheCertificate_NameMismatch_NamesWhatItHolds()
    {
        var pem = Path.Combine(_directory, "other-name.pem");
        await using var listener = TestTlsListener.Start(pem, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), "broker.example.invalid", withLoopbackIp: false);

        var result = await TlsProbe.ProbeAsync("127.0.0.1", listener.Port, pem, Timeout, TimeProvider.System);

        Assert.True(result.SpokeTls, result.Failure);
        Assert.True(result.NameMismatch);
        Assert.False(result.Untrusted);
        Assert.Contains("broker.example.invalid", result.Names);
    }

    [Fact]
    public async Task CaBundleWithoutTheIssuer_Untrusted()
    {
        var pem = Path.Combine(_directory, "server.pem");
        var otherCa = Path.Combine(_directory, "other-ca.pem");
        await using var listener = TestTlsListener.Start(pem, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));
        await using (TestTlsListener.Start(otherCa, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10)))
        {
        }

        var result = await TlsProbe.ProbeAsync("127.0.0.1", listener.Port, otherCa, Timeout, TimeProvider.System);

        Assert.True(result.SpokeTls, result.Failure);
        Assert.True(result.Untrusted);
        Assert.False(result.Expired);
        Assert.Equal("CN=localhost", result.Issuer);
    }

    [Fact]
    public async Task PlaintextListener_DidNotSpeakTls()
    {
        await using var listener = TestTlsListener.StartPlaintext();

        var result = await TlsProbe.ProbeAsync("127.0.0.1", listener.Port, null, Timeout, TimeProvider.System);

        Assert.False(result.SpokeTls);
        Assert.NotNull(result.Failure);
    }

    [Fact]
    public async Task NothingListening_DidNotSpeakTls_WithinTheTimeout()
    {
        int port;
        await using (var listener = TestTlsListener.StartPlaintext())
        {
            port = listener.Port;
        }

        var result = await TlsProbe.ProbeAsync("127.0.0.1", port, null, Timeout, TimeProvider.System);

        Assert.False(result.SpokeTls);
    }
}
