using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Aws;

/// <summary>MSK IAM log messages. Event ids 5050–5099 (the core's OAUTHBEARER messages are 5000–5049); names are frozen once shipped.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5050, EventName = "MskIamCredentialSource", Level = LogLevel.Information,
        Message = "MSK IAM tokens for {Host} are signed with AWS credentials from {CredentialSource}")]
    public static partial void CredentialSource(ILogger logger, string host, string credentialSource);

    [LoggerMessage(EventId = 5051, EventName = "MskIamTokenSigned", Level = LogLevel.Debug,
        Message = "MSK IAM token for {Host} signed at {SignedAt:O}; it expires at {ExpiresAt:O}, set by the {Limit}")]
    public static partial void TokenSigned(ILogger logger, string host, DateTimeOffset signedAt, DateTimeOffset expiresAt, string limit);

    [LoggerMessage(EventId = 5052, EventName = "MskIamCredentialsNearExpiry", Level = LogLevel.Information,
        Message = "AWS credentials from {CredentialSource} expire at {Expiration:O}, in under {MinimumSeconds} s; asking for new ones")]
    public static partial void CredentialsNearExpiry(ILogger logger, string credentialSource, DateTimeOffset expiration, double minimumSeconds);
}
