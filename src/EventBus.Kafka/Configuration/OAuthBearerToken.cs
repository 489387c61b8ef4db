using System.Globalization;

namespace EventBus.Kafka.Configuration;

/// <summary>A SASL/OAUTHBEARER token with its expiry, as an <see cref="IOAuthBearerTokenProvider"/> returns it.</summary>
/// <remarks><see cref="Value"/> is a secret: <see cref="ToString"/> leaves it out, and EventBus never logs it.</remarks>
public sealed class OAuthBearerToken
{
    private static readonly IReadOnlyDictionary<string, string> NoExtensions = new Dictionary<string, string>(0, StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="OAuthBearerToken"/> class.</summary>
    /// <param name="value">The token sent to the broker (a JWT, or an AWS MSK IAM token).</param>
    /// <param name="expiresAt">When the token stops being valid; librdkafka refreshes it at about 80 % of its lifetime.</param>
    /// <param name="principalName">The Kafka principal the token stands for, as librdkafka reports it (not sent to the broker).</param>
    /// <param name="extensions">SASL extensions sent with the token (RFC 7628 section 3.1); <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> or <paramref name="principalName"/> is empty.</exception>
    public OAuthBearerToken(string value, DateTimeOffset expiresAt, string principalName, IReadOnlyDictionary<string, string>? extensions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        ArgumentException.ThrowIfNullOrWhiteSpace(principalName);
        Value = value;
        ExpiresAt = expiresAt;
        PrincipalName = principalName;
        Extensions = extensions ?? NoExtensions;
    }

    /// <summary>Gets the token sent to the broker. A secret: never log it.</summary>
    public string Value { get; }

    /// <summary>Gets when the token stops being valid.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Gets the Kafka principal the token stands for (librdkafka's bookkeeping; the broker reads the token).</summary>
    public string PrincipalName { get; }

    /// <summary>Gets the SASL extensions sent with the token.</summary>
    public IReadOnlyDictionary<string, string> Extensions { get; }

    /// <summary>Describes the token without its value.</summary>
    /// <returns>The principal and expiry; the value is masked.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"OAuthBearerToken(Principal={PrincipalName}, ExpiresAt={ExpiresAt:O}, Value={Redaction.MaskText})");
}
