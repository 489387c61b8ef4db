namespace EventBus.Kafka.Configuration;

/// <summary>
/// An <see cref="IOAuthBearerTokenProvider"/> could not make a token: its message says why and what to set (for
/// AWS_MSK_IAM: <c>AWS_REGION</c> and the credential source tried), and never holds a secret. EventBus hands the
/// message to librdkafka, which reports an authentication error and asks for a token again.
/// </summary>
public sealed class OAuthBearerTokenException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="OAuthBearerTokenException"/> class.</summary>
    public OAuthBearerTokenException()
        : base("No SASL/OAUTHBEARER token could be made.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OAuthBearerTokenException"/> class.</summary>
    /// <param name="message">Why no token could be made and what to do; no secret.</param>
    public OAuthBearerTokenException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OAuthBearerTokenException"/> class.</summary>
    /// <param name="message">Why no token could be made and what to do; no secret.</param>
    /// <param name="innerException">The cause.</param>
    public OAuthBearerTokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
