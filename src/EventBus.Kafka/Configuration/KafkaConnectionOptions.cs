using Confluent.Kafka;

namespace EventBus.Kafka.Configuration;

/// <summary>Where the brokers are and how to reach them securely. Shared by producers, consumers and the admin client.</summary>
public sealed class KafkaConnectionOptions
{
    /// <summary>The CA bundle used when <see cref="SslCaLocation"/> is not set.</summary>
    public const string DefaultSslCaLocation = "/etc/ssl/certs/ca-certificates.crt";

    /// <summary>Gets or sets the comma-separated <c>host:port</c> list (<c>KAFKA_BOOTSTRAP_SERVERS</c>). Required.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>
    /// Gets or sets the service name (<c>SERVICE_NAME</c>): the client.id prefix, the <c>source</c> header and the
    /// default DLQ topic <c>{ServiceName}-dlq</c>. Required.
    /// </summary>
    public string? ServiceName { get; set; }

    /// <summary>
    /// Gets or sets the security protocol (<c>KAFKA_SECURITY_PROTOCOL</c>, alias <c>KAFKA_USE_SSL</c>).
    /// </summary>
    /// <value>The default value is <see cref="Confluent.Kafka.SecurityProtocol.Ssl"/>, or
    /// <see cref="Confluent.Kafka.SecurityProtocol.SaslSsl"/> when <see cref="SaslMechanism"/> is set.</value>
    public SecurityProtocol? SecurityProtocol { get; set; }

    /// <summary>Gets or sets the CA bundle (<c>SSL_CA_LOCATION</c>, alias <c>KAFKA_SSL_CAFILE</c>).</summary>
    /// <value>The default value is <see cref="DefaultSslCaLocation"/> when that file exists; otherwise the system store.</value>
    public string? SslCaLocation { get; set; }

    /// <summary>Gets or sets the variable <see cref="SslCaLocation"/> was read from, so problems name the one the operator set.</summary>
    internal string? SslCaLocationVariable { get; set; }

    /// <summary>Gets or sets the client certificate file for mutual TLS (<c>KAFKA_SSL_CERTFILE</c>).</summary>
    public string? SslCertificateLocation { get; set; }

    /// <summary>Gets or sets the client private key file for mutual TLS (<c>KAFKA_SSL_KEYFILE</c>).</summary>
    public string? SslKeyLocation { get; set; }

    /// <summary>Gets or sets the private key password (<c>KAFKA_SSL_PASSWORD</c>). Never logged or shown.</summary>
    public string? SslKeyPassword { get; set; }

    /// <summary>Gets or sets the SASL mechanism (<c>KAFKA_SASL_MECHANISM</c>); <see langword="null"/> for none.</summary>
    public KafkaSaslMechanism? SaslMechanism { get; set; }

    /// <summary>Gets or sets the SASL user name for PLAIN and SCRAM (<c>KAFKA_SASL_USERNAME</c>).</summary>
    public string? SaslUsername { get; set; }

    /// <summary>Gets or sets the SASL password for PLAIN and SCRAM (<c>KAFKA_SASL_PASSWORD</c>). Never logged or shown.</summary>
    public string? SaslPassword { get; set; }

    /// <summary>Gets or sets the AWS region for AWS_MSK_IAM (<c>AWS_REGION</c>).</summary>
    public string? AwsRegion { get; set; }

    /// <summary>
    /// Gets or sets where SASL/OAUTHBEARER tokens come from, for <see cref="KafkaSaslMechanism.OAuthBearer"/> and
    /// <see cref="KafkaSaslMechanism.AwsMskIam"/>. Every producer, consumer and admin client EventBus builds asks it for
    /// tokens through its refresh handler.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: with AWS_MSK_IAM, the provider of the EventBus.Kafka.Aws
    /// package (found when the package is referenced); with OAUTHBEARER, validation asks for one.</value>
    public IOAuthBearerTokenProvider? OAuthBearerTokenProvider { get; set; }

    /// <summary>
    /// Gets extra librdkafka properties applied to every client (producer, consumer, admin) after the mapped ones:
    /// the escape hatch for settings EventBus does not model. Values whose key mentions a password, secret or
    /// credential are redacted when shown.
    /// </summary>
    public IDictionary<string, string> AdditionalProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the security protocol in force: <see cref="SecurityProtocol"/> or its default.</summary>
    /// <returns>The effective protocol.</returns>
    public SecurityProtocol GetEffectiveSecurityProtocol() =>
        SecurityProtocol ?? (SaslMechanism is null ? Confluent.Kafka.SecurityProtocol.Ssl : Confluent.Kafka.SecurityProtocol.SaslSsl);

    /// <summary>Returns the settings with secrets redacted.</summary>
    /// <returns>A one-line description safe for logs.</returns>
    public override string ToString() =>
        $"BootstrapServers={BootstrapServers}, ServiceName={ServiceName}, SecurityProtocol={GetEffectiveSecurityProtocol()}, " +
        $"SslCaLocation={SslCaLocation}, SslCertificateLocation={SslCertificateLocation}, SslKeyLocation={SslKeyLocation}, " +
        $"SslKeyPassword={Redaction.Mask(SslKeyPassword)}, SaslMechanism={SaslMechanism}, SaslUsername={SaslUsername}, " +
        $"SaslPassword={Redaction.Mask(SaslPassword)}, AwsRegion={AwsRegion}, AdditionalProperties={Redaction.Describe(AdditionalProperties)}";
}
