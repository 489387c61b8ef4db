using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EventBus.Kafka.Diagnostics;

/// <summary>What a TLS handshake of our own with a broker's listener showed.</summary>
/// <param name="SpokeTls">The listener answered the handshake with a certificate: it is a TLS listener.</param>
/// <param name="NameMismatch">The certificate does not hold the host name connected to.</param>
/// <param name="Expired">The certificate's validity ended before now.</param>
/// <param name="NotYetValid">The certificate's validity starts after now.</param>
/// <param name="Untrusted">The certificate does not chain to a CA of the client's CA bundle.</param>
/// <param name="Subject">The certificate's subject.</param>
/// <param name="Issuer">The certificate's issuer.</param>
/// <param name="Names">The DNS names and IP addresses the certificate holds.</param>
/// <param name="NotBefore">Start of validity (UTC).</param>
/// <param name="NotAfter">End of validity (UTC).</param>
/// <param name="Failure">Why the probe learnt nothing, when it did not.</param>
internal sealed record TlsProbeResult(
    bool SpokeTls,
    bool NameMismatch,
    bool Expired,
    bool NotYetValid,
    bool Untrusted,
    string? Subject,
    string? Issuer,
    IReadOnlyList<string> Names,
    DateTime? NotBefore,
    DateTime? NotAfter,
    string? Failure)
{
    public static TlsProbeResult Nothing(string failure) => new(false, false, false, false, false, null, null, [], null, null, failure);
}

/// <summary>
/// A TLS handshake of our own with a broker's listener, made only after librdkafka reported a TLS failure or a
/// connection closed during the Kafka handshake: it tells whether the listener speaks TLS at all, and why its
/// certificate fails (unknown CA, host name, validity), which OpenSSL's "certificate verify failed" does not say.
/// It sends no Kafka request and accepts whatever certificate it gets.
/// </summary>
internal static class TlsProbe
{
    /// <summary>
    /// Probes one listener, synchronously and bounded by <paramref name="timeout"/> for the connection and again for
    /// the handshake: it runs on a thread of its own, so a starved thread pool cannot delay the diagnosis.
    /// </summary>
    /// <param name="host">The host, as the client connects to it.</param>
    /// <param name="port">The port.</param>
    /// <param name="caLocation">The client's CA bundle (PEM), or <see langword="null"/> for the system's trust store.</param>
    /// <param name="timeout">The bound on the connection, and on the handshake.</param>
    /// <param name="time">The clock the validity is judged by.</param>
    /// <returns>What the handshake showed.</returns>
    public static TlsProbeResult Probe(string host, int port, string? caLocation, TimeSpan timeout, TimeProvider time)
    {
        TlsProbeResult? seen = null;
        var name = host.Trim('[', ']');
        try
        {
            var address = IPAddress.TryParse(name, out var literal) ? literal : Dns.GetHostAddresses(name).First();
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (!Connect(socket, new IPEndPoint(address, port), timeout))
            {
                return TlsProbeResult.Nothing($"no connection to {host}:{port} within {timeout.TotalSeconds:0.#} s");
            }

            socket.ReceiveTimeout = socket.SendTimeout = (int)timeout.TotalMilliseconds;
            using var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
            stream.AuthenticateAsClient(new SslClientAuthenticationOptions
            {
                TargetHost = name,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    seen = Inspect(certificate, chain, errors, caLocation, time);
                    return true;
                },
            });
            return seen ?? TlsProbeResult.Nothing("the handshake completed without a certificate");
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or CryptographicException or InvalidOperationException)
        {
            return seen ?? TlsProbeResult.Nothing(ex.GetType().Name + ": " + ex.Message);
        }
    }

    /// <summary>Probes one listener on a thread of the caller's; see <see cref="Probe"/>.</summary>
    /// <param name="host">The host.</param>
    /// <param name="port">The port.</param>
    /// <param name="caLocation">The CA bundle.</param>
    /// <param name="timeout">The bound.</param>
    /// <param name="time">The clock.</param>
    /// <returns>What the handshake showed.</returns>
    public static Task<TlsProbeResult> ProbeAsync(string host, int port, string? caLocation, TimeSpan timeout, TimeProvider time) =>
        Task.Run(() => Probe(host, port, caLocation, timeout, time));

    /// <summary>A connect bounded by a timeout, without the thread pool: non-blocking connect, then a poll.</summary>
    private static bool Connect(Socket socket, IPEndPoint endpoint, TimeSpan timeout)
    {
        socket.Blocking = false;
        try
        {
            socket.Connect(endpoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress or SocketError.AlreadyInProgress)
        {
            if (!socket.Poll((int)Math.Min(int.MaxValue, timeout.TotalMicroseconds), SelectMode.SelectWrite) || socket.Poll(0, SelectMode.SelectError))
            {
                return false;
            }
        }

        socket.Blocking = true;
        return true;
    }

    private static TlsProbeResult Inspect(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, string? caLocation, TimeProvider time)
    {
        if (certificate is not X509Certificate2 leaf)
        {
            return TlsProbeResult.Nothing("the listener presented no certificate") with { SpokeTls = true };
        }

        var now = time.GetUtcNow().UtcDateTime;
        var notBefore = leaf.NotBefore.ToUniversalTime();
        var notAfter = leaf.NotAfter.ToUniversalTime();
        return new TlsProbeResult(
            SpokeTls: true,
            NameMismatch: errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch),
            Expired: notAfter < now,
            NotYetValid: notBefore > now,
            Untrusted: !ChainsToTrustedRoot(leaf, presented, caLocation),
            Subject: leaf.Subject,
            Issuer: leaf.Issuer,
            Names: Names(leaf),
            NotBefore: notBefore,
            NotAfter: notAfter,
            Failure: null);
    }

    /// <summary>Whether the certificate chains to a CA of the bundle (or of the system store), validity and revocation aside.</summary>
    private static bool ChainsToTrustedRoot(X509Certificate2 leaf, X509Chain? presented, string? caLocation)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreCtlNotTimeValid | X509VerificationFlags.IgnoreWrongUsage;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (!string.IsNullOrWhiteSpace(caLocation) && File.Exists(caLocation))
        {
            try
            {
                chain.ChainPolicy.CustomTrustStore.ImportFromPemFile(caLocation);
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            }
            catch (CryptographicException)
            {
                return false;
            }
        }

        return chain.Build(leaf);
    }

    private static List<string> Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value == "2.5.29.17")
            {
                var san = extension as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(extension.RawData);
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(a => a.ToString()));
            }
        }

        if (names.Count == 0 && certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false) is { Length: > 0 } cn)
        {
            names.Add(cn);
        }

        return names;
    }
}
