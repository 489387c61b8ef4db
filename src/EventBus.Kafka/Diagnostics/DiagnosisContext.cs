using Confluent.Kafka;
using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// What a diagnosis needs to know about one client: its kind, where it connects, how (protocol, CA, client
/// certificate, SASL mechanism and user), its group and topics. Holds the secrets only to scrub them out of any text
/// before it is logged or put into an exception; they are never shown.
/// </summary>
internal sealed class DiagnosisContext
{
    private readonly string[] _secrets;

    private DiagnosisContext(string clientKind, ClientConfig config, string? groupId, IReadOnlyCollection<string> topics)
    {
        ClientKind = clientKind;
        BootstrapServers = config.BootstrapServers ?? string.Empty;
        Protocol = config.SecurityProtocol ?? SecurityProtocol.Plaintext;
        CaLocation = config.SslCaLocation;
        CertificateLocation = config.SslCertificateLocation;
        SaslMechanism = config.SaslMechanism;
        SaslUsername = config.SaslUsername;
        GroupId = groupId;
        Topics = topics;
        _secrets = new[] { config.SaslPassword, config.SslKeyPassword, config.SaslOauthbearerClientSecret }
            .Where(s => !string.IsNullOrEmpty(s) && s.Length >= 3).Select(s => s!).ToArray();
    }

    /// <summary>Gets the kind of client: producer, consumer or admin client.</summary>
    public string ClientKind { get; }

    /// <summary>Gets the bootstrap servers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Gets the security protocol.</summary>
    public SecurityProtocol Protocol { get; }

    /// <summary>Gets ssl.ca.location, if set.</summary>
    public string? CaLocation { get; }

    /// <summary>Gets the client certificate, if set.</summary>
    public string? CertificateLocation { get; }

    /// <summary>Gets the SASL mechanism, if any.</summary>
    public SaslMechanism? SaslMechanism { get; }

    /// <summary>Gets the SASL user, if any.</summary>
    public string? SaslUsername { get; }

    /// <summary>Gets the consumer group, for a consumer.</summary>
    public string? GroupId { get; }

    /// <summary>Gets the topics a consumer subscribes to.</summary>
    public IReadOnlyCollection<string> Topics { get; }

    /// <summary>Gets a value indicating whether the protocol uses TLS.</summary>
    public bool UsesTls => Protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;

    /// <summary>Gets a value indicating whether the protocol uses SASL.</summary>
    public bool UsesSasl => Protocol is SecurityProtocol.SaslSsl or SecurityProtocol.SaslPlaintext;

    /// <summary>Gets the protocol as the variable spells it.</summary>
    public string ProtocolName => Protocol switch
    {
        SecurityProtocol.Ssl => "SSL",
        SecurityProtocol.SaslSsl => "SASL_SSL",
        SecurityProtocol.SaslPlaintext => "SASL_PLAINTEXT",
        _ => "PLAINTEXT",
    };

    /// <summary>Gets the SASL mechanism as the variable spells it.</summary>
    public string MechanismName => SaslMechanism switch
    {
        Confluent.Kafka.SaslMechanism.Plain => "PLAIN",
        Confluent.Kafka.SaslMechanism.ScramSha256 => "SCRAM-SHA-256",
        Confluent.Kafka.SaslMechanism.ScramSha512 => "SCRAM-SHA-512",
        Confluent.Kafka.SaslMechanism.OAuthBearer => "OAUTHBEARER",
        Confluent.Kafka.SaslMechanism.Gssapi => "GSSAPI",
        _ => "none",
    };

    /// <summary>Gets the principal the broker's authorizer most likely sees for this client, in words.</summary>
    public string Principal => Protocol switch
    {
        _ when UsesSasl && SaslMechanism is Confluent.Kafka.SaslMechanism.Plain or Confluent.Kafka.SaslMechanism.ScramSha256 or Confluent.Kafka.SaslMechanism.ScramSha512
            && !string.IsNullOrEmpty(SaslUsername) => "User:" + SaslUsername,
        _ when UsesSasl => "the principal of the SASL token",
        _ when UsesTls && !string.IsNullOrEmpty(CertificateLocation) => "the subject of the client certificate (KAFKA_SSL_CERTFILE)",
        _ => "User:ANONYMOUS",
    };

    /// <summary>Gets where the principal comes from, naming the variables.</summary>
    public string PrincipalSource => Protocol switch
    {
        _ when UsesSasl => $"{EventBusEnvironmentVariables.SaslUsername} with {EventBusEnvironmentVariables.SaslMechanism} {MechanismName}",
        _ when UsesTls && !string.IsNullOrEmpty(CertificateLocation) => $"the certificate in {EventBusEnvironmentVariables.SslCertificateFile}",
        _ => $"no authentication ({EventBusEnvironmentVariables.SecurityProtocol}={ProtocolName}), so User:ANONYMOUS",
    };

    /// <summary>Builds the context of a client from the configuration it is built with.</summary>
    /// <param name="clientKind">producer, consumer or admin client.</param>
    /// <param name="config">The client configuration.</param>
    /// <param name="groupId">The consumer group, for a consumer.</param>
    /// <param name="topics">The topics a consumer subscribes to.</param>
    /// <returns>The context.</returns>
    public static DiagnosisContext From(string clientKind, ClientConfig config, string? groupId = null, IReadOnlyCollection<string>? topics = null) =>
        new(clientKind, config, groupId, topics ?? []);

    /// <summary>Replaces any secret of this client's configuration found in <paramref name="text"/> with <c>***</c>.</summary>
    /// <param name="text">The text (librdkafka's reason, say).</param>
    /// <returns>The text without secrets.</returns>
    public string Scrub(string text)
    {
        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Redaction.MaskText, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
