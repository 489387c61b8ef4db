namespace EventBus.Kafka.Configuration;

/// <summary>The SASL mechanisms EventBus supports (<see cref="EventBusEnvironmentVariables.SaslMechanism"/>).</summary>
public enum KafkaSaslMechanism
{
    /// <summary>PLAIN: user name and password.</summary>
    Plain,

    /// <summary>SCRAM-SHA-256: user name and password.</summary>
    ScramSha256,

    /// <summary>SCRAM-SHA-512: user name and password.</summary>
    ScramSha512,

    /// <summary>AWS_MSK_IAM: IAM role credentials of the process, through the EventBus.Kafka.Aws package.</summary>
    AwsMskIam,

    /// <summary>
    /// OAUTHBEARER with tokens from <see cref="KafkaConnectionOptions.OAuthBearerTokenProvider"/>, set in code (an
    /// identity provider's JWTs, for example). Not selectable through <c>KAFKA_SASL_MECHANISM</c>: it needs code anyway.
    /// </summary>
    OAuthBearer,
}
