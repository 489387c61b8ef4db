using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EventBus.Kafka.Tests.Diagnostics;

/// <summary>Self-signed certificates and a TLS listener on loopback that presents one, for the TLS probe's tests.</summary>
internal sealed class TestTlsListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private TestTlsListener(X509Certificate2? certificate)
    {
        _certificate = certificate;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>A TLS listener with a self-signed certificate for <paramref name="dnsName"/> and 127.0.0.1 (when <paramref name="withLoopbackIp"/>), written as PEM to <paramref name="pemFile"/>.</summary>
    public static TestTlsListener Start(string pemFile, DateTimeOffset notBefore, DateTimeOffset notAfter, string dnsName = "localhost", bool withLoopbackIp = true)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        if (withLoopbackIp)
        {
            names.AddIpAddress(IPAddress.Loopback);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var created = request.CreateSelfSigned(notBefore, notAfter);
        File.WriteAllText(pemFile, created.ExportCertificatePem());
        return new TestTlsListener(X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null));
    }

    /// <summary>A listener that speaks no TLS: it reads a little and closes, like a plaintext Kafka listener given a TLS hello.</summary>
    public static TestTlsListener StartPlaintext() => new(null);

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

        _certificate?.Dispose();
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
                if (_certificate is null)
                {
                    var buffer = new byte[16];
                    _ = await client.GetStream().ReadAsync(buffer, timeout.Token);
                    return;
                }

                await using var stream = new SslStream(client.GetStream());
                await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, timeout.Token);
                _ = await stream.ReadAsync(new byte[16], timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
