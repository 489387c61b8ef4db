using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EventBus.Kafka.IntegrationTests.Failures;

/// <summary>
/// A TLS listener of the test's own on loopback (no Kafka behind it): it completes or fails TLS handshakes with the
/// certificate it was given, and drops the connection after. Enough to make librdkafka's TLS handshake fail for a
/// reason the kit cannot produce (an expired certificate).
/// </summary>
internal sealed class TlsTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private TlsTestServer(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Gets the listener's address, <c>127.0.0.1:port</c>.</summary>
    public string Address => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Gets how many TLS connections were attempted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private int _connections;

    /// <summary>Starts a listener whose certificate is self-signed for localhost and 127.0.0.1, valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    /// <param name="notBefore">Start of validity.</param>
    /// <param name="notAfter">End of validity.</param>
    /// <param name="caFile">Where its certificate is written as PEM (the CA a client should trust).</param>
    /// <returns>The server.</returns>
    public static TlsTestServer StartSelfSigned(DateTimeOffset notBefore, DateTimeOffset notAfter, string caFile)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, false));
        using var created = request.CreateSelfSigned(notBefore, notAfter);
        File.WriteAllText(caFile, created.ExportCertificatePem());

        // On Linux a server certificate needs its key in a form SslStream can use: round-trip through PKCS#12.
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        return new TlsTestServer(certificate);
    }

    /// <summary>Writes a CA certificate (PEM) that signed nothing the brokers use: a CA bundle a client should not trust them with.</summary>
    /// <param name="file">Where.</param>
    public static void WriteUnrelatedCa(string file)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=EventBus test CA that signed nothing", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllText(file, ca.ExportCertificatePem());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _certificate.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await using var stream = new SslStream(client.GetStream());
                await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, timeout.Token);
                var buffer = new byte[1024];
                while (await stream.ReadAsync(buffer, timeout.Token) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client refused the certificate, or spoke no TLS, or went away: that is the point.
            }
        }
    }
}
