using System.Globalization;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.Diagnostics;

/// <summary>Turns a classified failure, the client's context and (for TLS) what a probe saw into one <see cref="KafkaDiagnosis"/>.</summary>
internal static class DiagnosisBuilder
{
    private const string Bootstrap = EventBusEnvironmentVariables.BootstrapServers;
    private const string Protocol = EventBusEnvironmentVariables.SecurityProtocol;
    private const string Ca = EventBusEnvironmentVariables.SslCaLocation;
    private const string CaAlias = EventBusEnvironmentVariables.SslCaFile;
    private const string Cert = EventBusEnvironmentVariables.SslCertificateFile;
    private const string Key = EventBusEnvironmentVariables.SslKeyFile;
    private const string KeyPassword = EventBusEnvironmentVariables.SslKeyPassword;
    private const string Mechanism = EventBusEnvironmentVariables.SaslMechanism;
    private const string User = EventBusEnvironmentVariables.SaslUsername;
    private const string Password = EventBusEnvironmentVariables.SaslPassword;
    private const string Group = EventBusEnvironmentVariables.ConsumerGroup;

    /// <summary>Builds the diagnosis.</summary>
    /// <param name="failure">The classified failure.</param>
    /// <param name="context">The client.</param>
    /// <param name="probe">What a TLS probe of the broker saw, if one was made.</param>
    /// <param name="topic">The topic concerned, when the failure is about one (a refused publish).</param>
    /// <returns>The diagnosis.</returns>
    public static KafkaDiagnosis Build(FailureClassification failure, DiagnosisContext context, TlsProbeResult? probe = null, string? topic = null)
    {
        var cause = Refine(failure, probe);
        var kind = cause switch
        {
            KafkaFailureCause.PlaintextClientOnTlsListener => KafkaFailureKind.Tls,
            _ when cause != failure.Cause && failure.Kind == KafkaFailureKind.Tls => KafkaFailureKind.Tls,
            _ => failure.Kind,
        };
        var where = failure.Broker ?? context.BootstrapServers;
        var host = failure.Host ?? "the broker";
        var caText = string.IsNullOrWhiteSpace(context.CaLocation) ? "not set (the system's CA store is used)" : $"'{context.CaLocation}'";
        var (summary, advice, variables) = cause switch
        {
            KafkaFailureCause.NameResolution => (
                $"the broker address of {where} does not resolve",
                $"Check {Bootstrap} ('{context.BootstrapServers}'): every host must resolve from this machine (a typo, a missing DNS record, or a name only resolvable inside another network)",
                V(Bootstrap)),
            KafkaFailureCause.ConnectionRefused => (
                $"nothing listens at {where} (connection refused)",
                $"Check {Bootstrap} ('{context.BootstrapServers}'): host and port must be a running broker's listener; the brokers may also be down or still starting, in which case the client connects by itself once they are up",
                V(Bootstrap)),
            KafkaFailureCause.ConnectionTimedOut => (
                $"no answer from {where} (the connection timed out)",
                $"Check {Bootstrap} ('{context.BootstrapServers}') and that the network (firewall, security group, VPN) lets this machine reach that port",
                V(Bootstrap)),
            KafkaFailureCause.ConnectionClosed => (
                $"{where} closed the connection before the Kafka handshake completed",
                $"Check that {Protocol} ({context.ProtocolName}) is the protocol of that listener and that {Bootstrap} ('{context.BootstrapServers}') names Kafka brokers; a broker that is restarting does this too",
                V(Bootstrap, Protocol)),
            KafkaFailureCause.AllBrokersDown => (
                "no broker is reachable",
                $"Check {Bootstrap} ('{context.BootstrapServers}') and that the brokers run; the client reconnects by itself",
                V(Bootstrap)),
            KafkaFailureCause.UnknownCertificateAuthority => (
                $"the certificate of {where}{Issued(probe)} is not signed by a CA this client trusts",
                $"Check {Ca} (alias {CaAlias}), now {caText}: it must hold the CA that signed the brokers' certificates",
                V(Ca, CaAlias)),
            KafkaFailureCause.HostnameMismatch => (
                $"the certificate of {where} does not hold the name '{host}' the client connected to{Holds(probe)}",
                $"Check {Bootstrap} ('{context.BootstrapServers}'): connect with a name the certificate holds (or give the brokers a certificate for '{host}')",
                V(Bootstrap)),
            KafkaFailureCause.CertificateExpired => (
                probe?.NotYetValid == true
                    ? $"the certificate of {where} is not valid before {Utc(probe.NotBefore)}"
                    : $"the certificate of {where} expired on {Utc(probe?.NotAfter)}",
                $"The broker needs a renewed certificate (no client setting fixes that); check this machine's clock, and that {Bootstrap} ('{context.BootstrapServers}') names the intended brokers and {Ca} ({caText}) the intended CA",
                V(Bootstrap, Ca)),
            KafkaFailureCause.CertificateRejected => (
                $"the certificate of {where} could not be verified (a CA not in the client's bundle, a name it does not hold, or an expired certificate)",
                $"Check {Ca} (alias {CaAlias}), now {caText}, and the host names in {Bootstrap} ('{context.BootstrapServers}')",
                V(Ca, CaAlias, Bootstrap)),
            KafkaFailureCause.TlsClientOnPlaintextListener => (
                $"the client speaks TLS ({Protocol}={context.ProtocolName}) but {where} is not a TLS listener (it dropped the TLS handshake)",
                $"Set {Protocol} to the listener's protocol (PLAINTEXT, or SASL_PLAINTEXT with SASL; SSL is the default when it is not set), or point {Bootstrap} ('{context.BootstrapServers}') at the TLS listener's port",
                V(Protocol, Bootstrap)),
            KafkaFailureCause.PlaintextClientOnTlsListener => (
                $"{where} is a TLS listener but the client speaks {context.ProtocolName} ({Protocol})",
                $"Set {Protocol}={(context.UsesSasl ? "SASL_SSL" : "SSL")} (and {Ca} to the brokers' CA), or point {Bootstrap} ('{context.BootstrapServers}') at the {context.ProtocolName} listener's port",
                V(Protocol, Bootstrap, Ca)),
            KafkaFailureCause.ClientCertificateRequired => (
                $"{where} refused the TLS handshake: it requires a client certificate (mutual TLS) that it accepts",
                string.IsNullOrEmpty(context.CertificateLocation)
                    ? $"Set {Cert} and {Key} (and {KeyPassword} when the key is encrypted) to a certificate signed by a CA the broker trusts"
                    : $"Check {Cert} ('{context.CertificateLocation}') and {Key}: the broker must trust the certificate's CA",
                V(Cert, Key, KeyPassword)),
            KafkaFailureCause.TlsHandshakeFailed => (
                $"the TLS handshake with {where} failed",
                $"Check {Protocol} ({context.ProtocolName}), {Ca} ({caText}), and {Cert}/{Key} if the listener asks for a client certificate",
                V(Protocol, Ca, Cert, Key)),
            KafkaFailureCause.SaslAuthenticationFailed => (
                context.UsesSasl && !string.IsNullOrEmpty(context.SaslUsername)
                    ? $"{where} refused the credentials of user '{context.SaslUsername}' with {context.MechanismName}"
                    : $"{where} refused the client's SASL authentication ({context.MechanismName})",
                context.SaslMechanism == SaslMechanism.OAuthBearer
                    ? $"Check the token provider behind {Mechanism}={context.MechanismName} (for AWS_MSK_IAM: the IAM role and AWS_REGION)"
                    : $"Check {User}, {Password} and {Mechanism} ({context.MechanismName}): the broker must know that user with that mechanism",
                context.SaslMechanism == SaslMechanism.OAuthBearer ? V(Mechanism, EventBusEnvironmentVariables.AwsRegion) : V(User, Password, Mechanism)),
            KafkaFailureCause.OAuthBearerTokenUnavailable => (
                "no SASL/OAUTHBEARER token could be obtained, so the client cannot authenticate",
                $"Check the token provider behind {Mechanism}={context.MechanismName} (for AWS_MSK_IAM: the IAM role of this process and AWS_REGION); the client asks again by itself",
                V(Mechanism, EventBusEnvironmentVariables.AwsRegion)),
            KafkaFailureCause.SaslMechanismRejected => (
                $"{where} does not take SASL mechanism {context.MechanismName} on that listener",
                $"Check {Mechanism} ({context.MechanismName}) against the mechanisms the listener enables, and {Protocol} ({context.ProtocolName}) against the listener's protocol",
                V(Mechanism, Protocol)),
            KafkaFailureCause.TopicAuthorization => (
                $"{context.Principal} is not allowed to {TopicOperation(context)} topic {Named(topic ?? (context.Topics.Count > 0 ? string.Join(", ", context.Topics) : null))}",
                $"Grant it on the broker (kafka-acls --add --allow-principal {PrincipalArgument(context)} --operation {TopicOperation(context)} --topic {topic ?? context.Topics.FirstOrDefault() ?? "<topic>"}); the principal comes from {context.PrincipalSource}",
                V(User, Cert)),
            KafkaFailureCause.GroupAuthorization => (
                $"{context.Principal} is not allowed to read consumer group {Named(context.GroupId)}",
                $"Grant Read on the group (kafka-acls --add --allow-principal {PrincipalArgument(context)} --operation Read --group {context.GroupId ?? "<group>"}) or change {Group}; the principal comes from {context.PrincipalSource}",
                V(Group, User, Cert)),
            KafkaFailureCause.ClusterAuthorization => (
                $"{context.Principal} is not allowed to perform this operation on the cluster",
                $"Grant it on the broker (kafka-acls --cluster; the idempotent producer needs IdempotentWrite on brokers before 2.8); the principal comes from {context.PrincipalSource}",
                V(User, Cert)),
            KafkaFailureCause.TransactionalIdAuthorization => (
                $"{context.Principal} is not allowed to use its transactional id",
                $"Grant it on the broker (kafka-acls --transactional-id); the principal comes from {context.PrincipalSource}",
                V(User, Cert)),
            KafkaFailureCause.FatalError => (
                "the client hit a fatal error and its state (the idempotent producer's sequence) is lost",
                "The producer is rebuilt once by itself; if it happens again, restart the service",
                V()),
            _ => (
                $"{where}: {failure.Code}",
                "See librdkafka's reason",
                V()),
        };

        var reason = context.Scrub(failure.Reason);
        return new KafkaDiagnosis(kind, cause, failure.Code, context.Scrub(summary), context.Scrub(advice), variables, reason, failure.Broker);
    }

    /// <summary>The cause, with what a TLS probe saw of the listener.</summary>
    private static KafkaFailureCause Refine(FailureClassification failure, TlsProbeResult? probe)
    {
        if (probe is null)
        {
            return failure.Cause;
        }

        return failure.Cause switch
        {
            KafkaFailureCause.ConnectionClosed when probe.SpokeTls => KafkaFailureCause.PlaintextClientOnTlsListener,
            KafkaFailureCause.CertificateRejected when probe.SpokeTls && probe.Untrusted => KafkaFailureCause.UnknownCertificateAuthority,
            KafkaFailureCause.CertificateRejected when probe.SpokeTls && (probe.Expired || probe.NotYetValid) => KafkaFailureCause.CertificateExpired,
            KafkaFailureCause.CertificateRejected when probe.SpokeTls && probe.NameMismatch => KafkaFailureCause.HostnameMismatch,
            _ => failure.Cause,
        };
    }

    private static string[] V(params string[] variables) => variables;

    private static string Named(string? name) => name is null ? "(unknown)" : $"'{name}'";

    private static string TopicOperation(DiagnosisContext context) => context.ClientKind switch
    {
        "consumer" => "Read",
        "producer" => "Write",
        _ => "Create",
    };

    private static string PrincipalArgument(DiagnosisContext context) => context.Principal.StartsWith("User:", StringComparison.Ordinal) ? context.Principal : "<principal>";

    private static string Issued(TlsProbeResult? probe) => probe?.Issuer is { Length: > 0 } issuer ? $" (issued by '{issuer}')" : string.Empty;

    private static string Holds(TlsProbeResult? probe) => probe is { Names.Count: > 0 } ? $" (it holds {string.Join(", ", probe.Names)})" : string.Empty;

    private static string Utc(DateTime? value) => value is { } v ? v.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "an unknown date";
}
