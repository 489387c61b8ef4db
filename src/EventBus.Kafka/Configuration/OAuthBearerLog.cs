using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Configuration;

/// <summary>SASL/OAUTHBEARER token log messages. Event ids 5000–5049 (EventBus.Kafka.Aws has 5050–5099); names are frozen once shipped.</summary>
internal static partial class OAuthBearerLog
{
    [LoggerMessage(EventId = 5000, EventName = "OAuthBearerTokenSet", Level = LogLevel.Information,
        Message = "Kafka client {ClientName}: first SASL/OAUTHBEARER token from {Provider} set (principal {Principal}, expires {ExpiresAt:O}, in {LifetimeSeconds:0} s)")]
    public static partial void FirstTokenSet(ILogger logger, string clientName, string provider, string principal, DateTimeOffset expiresAt, double lifetimeSeconds);

    [LoggerMessage(EventId = 5001, EventName = "OAuthBearerTokenRefreshed", Level = LogLevel.Debug,
        Message = "Kafka client {ClientName}: SASL/OAUTHBEARER token refreshed (principal {Principal}, expires {ExpiresAt:O}, in {LifetimeSeconds:0} s)")]
    public static partial void TokenRefreshed(ILogger logger, string clientName, string principal, DateTimeOffset expiresAt, double lifetimeSeconds);

    [LoggerMessage(EventId = 5002, EventName = "OAuthBearerTokenFailed", Level = LogLevel.Error,
        Message = "Kafka client {ClientName}: no SASL/OAUTHBEARER token: {Reason}; the client cannot authenticate and asks again in about 10 s")]
    public static partial void TokenFailed(ILogger logger, string clientName, string reason);
}
