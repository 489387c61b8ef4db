namespace EventBus.Kafka.Configuration;

/// <summary>
/// Supplies SASL/OAUTHBEARER tokens to every Kafka client EventBus builds (producer, consumer, admin client). Set one
/// in code on <see cref="KafkaConnectionOptions.OAuthBearerTokenProvider"/>, or let <c>KAFKA_SASL_MECHANISM=AWS_MSK_IAM</c>
/// find the one of the EventBus.Kafka.Aws package.
/// </summary>
/// <remarks>
/// librdkafka asks for a token when the client starts and again at about 80 % of the last token's lifetime (every 10 s
/// after a failure). <see cref="GetTokenAsync"/> runs off librdkafka's threads, one call at a time per client; several
/// clients may call it at once, so implementations must be thread-safe.
/// </remarks>
public interface IOAuthBearerTokenProvider
{
    /// <summary>Gets a fresh token.</summary>
    /// <param name="cancellationToken">Cancelled when the token is no longer wanted (the refresh timed out).</param>
    /// <returns>The token with its expiry; librdkafka refreshes it before <see cref="OAuthBearerToken.ExpiresAt"/>.</returns>
    /// <exception cref="OAuthBearerTokenException">No token could be made; the message says why and what to set, and
    /// holds no secret. librdkafka reports it as an authentication error and asks again.</exception>
    ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken);
}
