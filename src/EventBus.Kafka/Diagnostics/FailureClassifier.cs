using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace EventBus.Kafka.Diagnostics;

/// <summary>What librdkafka's error or log text says, classified: the class, the cause, the broker and the connection state.</summary>
/// <param name="Kind">The class.</param>
/// <param name="Cause">The cause (for a certificate failure, refined by a TLS probe).</param>
/// <param name="Code">The error code.</param>
/// <param name="Reason">librdkafka's text without its thread prefix.</param>
/// <param name="Broker">The broker named at the start of the text, e.g. <c>ssl://host:9093/1</c>.</param>
/// <param name="Host">The broker's host.</param>
/// <param name="Port">The broker's port.</param>
/// <param name="NeedsProbe">A TLS probe of the broker would tell more (certificate failures; connections closed during the Kafka handshake).</param>
internal sealed record FailureClassification(
    KafkaFailureKind Kind,
    KafkaFailureCause Cause,
    ErrorCode Code,
    string Reason,
    string? Broker,
    string? Host,
    int Port,
    bool NeedsProbe);

/// <summary>
/// Classifies librdkafka's errors and log lines into the failures of <see cref="KafkaFailureKind"/>, from the error
/// code and the text librdkafka gives (it is stable across versions: OpenSSL's and librdkafka's own wording).
/// </summary>
internal static partial class FailureClassifier
{
    private static readonly HashSet<string> SetupStates = new(StringComparer.Ordinal)
    {
        "CONNECT", "TRY_CONNECT", "SSL_HANDSHAKE", "APIVERSION_QUERY", "AUTH_HANDSHAKE", "AUTH_REQ", "AUTH_LEGACY", "INIT", "DOWN",
    };

    /// <summary>Classifies an error reported by a client (its error callback, an exception, a delivery report).</summary>
    /// <param name="error">The error.</param>
    /// <param name="protocol">The client's security protocol.</param>
    /// <returns>The classification, or <see langword="null"/> when the error is none of the failures diagnosed.</returns>
    public static FailureClassification? Classify(Error error, SecurityProtocol protocol) =>
        Classify(error.Code, error.Reason ?? string.Empty, error.IsFatal, protocol);

    /// <summary>Classifies an error code and its text.</summary>
    /// <param name="code">The code.</param>
    /// <param name="text">librdkafka's text.</param>
    /// <param name="isFatal">Whether librdkafka flagged it fatal.</param>
    /// <param name="protocol">The client's security protocol.</param>
    /// <returns>The classification, or <see langword="null"/>.</returns>
    public static FailureClassification? Classify(ErrorCode code, string text, bool isFatal, SecurityProtocol protocol)
    {
        var reason = StripThread(text);
        var (broker, host, port) = ParseBroker(reason);
        var state = StateOf(reason);
        FailureClassification Make(KafkaFailureKind kind, KafkaFailureCause cause, bool probe = false) => new(kind, cause, code, reason, broker, host, port, probe && host is not null);

        if (isFatal || code == ErrorCode.Local_Fatal)
        {
            return Make(KafkaFailureKind.Fatal, KafkaFailureCause.FatalError);
        }

        switch (code)
        {
            case ErrorCode.TopicAuthorizationFailed:
                return Make(KafkaFailureKind.Authorization, KafkaFailureCause.TopicAuthorization);
            case ErrorCode.GroupAuthorizationFailed:
                return Make(KafkaFailureKind.Authorization, KafkaFailureCause.GroupAuthorization);
            case ErrorCode.ClusterAuthorizationFailed:
                return Make(KafkaFailureKind.Authorization, KafkaFailureCause.ClusterAuthorization);
            case ErrorCode.TransactionalIdAuthorizationFailed:
                return Make(KafkaFailureKind.Authorization, KafkaFailureCause.TransactionalIdAuthorization);
        }

        if (Has(reason, "Topic authorization failed"))
        {
            return Make(KafkaFailureKind.Authorization, KafkaFailureCause.TopicAuthorization);
        }

        if (Has(reason, "Group authorization failed"))
        {
            return Make(KafkaFailureKind.Authorization, KafkaFailureCause.GroupAuthorization);
        }

        // TLS before authentication: librdkafka reports some handshake failures with the authentication code.
        if (code == ErrorCode.Local_Ssl || Has(reason, "SSL handshake failed") || state == "SSL_HANDSHAKE")
        {
            if (Has(reason, "connecting to a PLAINTEXT broker listener") || Has(reason, "wrong version number") || Has(reason, "packet length too long")
                || Has(reason, "record layer failure") || Has(reason, "unknown protocol")
                || (state == "SSL_HANDSHAKE" && (Has(reason, "Disconnected") || Has(reason, "connection closed by peer"))))
            {
                return Make(KafkaFailureKind.Tls, KafkaFailureCause.TlsClientOnPlaintextListener);
            }

            if (Has(reason, "certificate verify failed"))
            {
                return Make(KafkaFailureKind.Tls, KafkaFailureCause.CertificateRejected, probe: true);
            }

            if (Has(reason, "client SSL authentication might be required") || Has(reason, "certificate required") || Has(reason, "unexpected message")
                || Has(reason, "handshake failure"))
            {
                return Make(KafkaFailureKind.Tls, KafkaFailureCause.ClientCertificateRequired);
            }

            return Make(KafkaFailureKind.Tls, KafkaFailureCause.TlsHandshakeFailed);
        }

        if (Has(reason, "Failed to acquire SASL OAUTHBEARER token") || Has(reason, "OAUTHBEARER token") && Has(reason, "failed"))
        {
            return Make(KafkaFailureKind.Authentication, KafkaFailureCause.OAuthBearerTokenUnavailable);
        }

        if (code is ErrorCode.Local_Authentication or ErrorCode.SaslAuthenticationFailed || Has(reason, "SASL authentication error") || Has(reason, "Authentication failed"))
        {
            return Has(reason, "Unsupported SASL mechanism") || Has(reason, "mechanism") && (Has(reason, "not enabled") || Has(reason, "unsupported"))
                ? Make(KafkaFailureKind.Authentication, KafkaFailureCause.SaslMechanismRejected)
                : Make(KafkaFailureKind.Authentication, KafkaFailureCause.SaslAuthenticationFailed);
        }

        if (code == ErrorCode.UnsupportedSaslMechanism || Has(reason, "Unsupported SASL mechanism"))
        {
            return Make(KafkaFailureKind.Authentication, KafkaFailureCause.SaslMechanismRejected);
        }

        if (code == ErrorCode.Local_Resolve || Has(reason, "Failed to resolve"))
        {
            return Make(KafkaFailureKind.Unreachable, KafkaFailureCause.NameResolution);
        }

        if (Has(reason, "Connection refused"))
        {
            return Make(KafkaFailureKind.Unreachable, KafkaFailureCause.ConnectionRefused);
        }

        if (Has(reason, "timed out") && (state is "CONNECT" or "TRY_CONNECT" || Has(reason, "Connection setup") || Has(reason, "Connect to")))
        {
            return Make(KafkaFailureKind.Unreachable, KafkaFailureCause.ConnectionTimedOut);
        }

        if ((Has(reason, "Disconnected") || Has(reason, "connection closed by peer")) && state is not null && SetupStates.Contains(state))
        {
            // A listener that drops the connection at the Kafka handshake: a TLS listener answering a plaintext client
            // (the probe tells), or a SASL listener answering a client without SASL, or a broker going down.
            if (state is "AUTH_HANDSHAKE" or "AUTH_REQ" or "AUTH_LEGACY")
            {
                return Make(KafkaFailureKind.Authentication, KafkaFailureCause.SaslMechanismRejected);
            }

            var plaintext = protocol is SecurityProtocol.Plaintext or SecurityProtocol.SaslPlaintext;
            return Make(KafkaFailureKind.Unreachable, KafkaFailureCause.ConnectionClosed, probe: plaintext && state == "APIVERSION_QUERY");
        }

        if (Has(reason, "Disconnected while requesting ApiVersion"))
        {
            return Make(KafkaFailureKind.Unreachable, KafkaFailureCause.ConnectionClosed, probe: protocol is SecurityProtocol.Plaintext or SecurityProtocol.SaslPlaintext);
        }

        if (code == ErrorCode.Local_AllBrokersDown)
        {
            return Make(KafkaFailureKind.Unreachable, KafkaFailureCause.AllBrokersDown);
        }

        return null;
    }

    /// <summary>Whether a log line is one of librdkafka's connection failure lines (facility FAIL), which an error callback mirrors when it is an error.</summary>
    /// <param name="message">The log line.</param>
    /// <returns>Whether it is.</returns>
    public static bool IsFailureLine(LogMessage message) => string.Equals(message.Facility, "FAIL", StringComparison.Ordinal);

    /// <summary>
    /// The text with the parts that change between identical failures made constant (the time in a state, the count
    /// of suppressed repeats, the broker address), so identical failures of any broker share one key.
    /// </summary>
    /// <param name="text">librdkafka's text.</param>
    /// <returns>The key.</returns>
    public static string Normalize(string text)
    {
        var reason = StripThread(text);
        reason = BrokerPattern().Replace(reason, "<broker>: ", 1);
        reason = ElapsedPattern().Replace(reason, "after Nms in state ${state}");
        reason = SuppressedPattern().Replace(reason, string.Empty);
        return reason;
    }

    /// <summary>The text without the <c>[thrd:...]: </c> prefix of librdkafka's log lines.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The rest.</returns>
    public static string StripThread(string text) => ThreadPattern().Replace(text, string.Empty, 1);

    private static (string? Broker, string? Host, int Port) ParseBroker(string reason)
    {
        var match = BrokerPattern().Match(reason);
        return match.Success && int.TryParse(match.Groups["port"].ValueSpan, out var port)
            ? (match.Groups["broker"].Value, match.Groups["host"].Value, port)
            : (null, null, 0);
    }

    private static string? StateOf(string reason)
    {
        var match = ElapsedPattern().Match(reason);
        return match.Success ? match.Groups["state"].Value : null;
    }

    private static bool Has(string text, string what) => text.Contains(what, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^\[thrd:[^\]]*\]:\s*")]
    private static partial Regex ThreadPattern();

    [GeneratedRegex(@"^(?<broker>(?:[a-z_]+://)?(?<host>\[[^\]]+\]|[^\s:/\[\]]+):(?<port>\d{1,5})/[\w-]+):\s+")]
    private static partial Regex BrokerPattern();

    [GeneratedRegex(@"after \d+ms in state (?<state>[A-Z_]+)")]
    private static partial Regex ElapsedPattern();

    [GeneratedRegex(@",? \d+ identical error\(s\) suppressed")]
    private static partial Regex SuppressedPattern();
}
