namespace EventBus.Kafka.Diagnostics;

/// <summary>The precise cause of a Kafka client failure, within its <see cref="KafkaFailureKind"/>.</summary>
public enum KafkaFailureCause
{
    /// <summary>A broker's host name does not resolve (<see cref="KafkaFailureKind.Unreachable"/>).</summary>
    NameResolution,

    /// <summary>Nothing listens at the broker's address: the connection is refused (<see cref="KafkaFailureKind.Unreachable"/>).</summary>
    ConnectionRefused,

    /// <summary>The connection or its setup timed out (<see cref="KafkaFailureKind.Unreachable"/>).</summary>
    ConnectionTimedOut,

    /// <summary>The broker closed the connection before the client was connected, for no reason it gave (<see cref="KafkaFailureKind.Unreachable"/>).</summary>
    ConnectionClosed,

    /// <summary>Every broker is down, with no more precise cause known (<see cref="KafkaFailureKind.Unreachable"/>).</summary>
    AllBrokersDown,

    /// <summary>The broker's certificate is not signed by a CA in the client's CA bundle (<see cref="KafkaFailureKind.Tls"/>).</summary>
    UnknownCertificateAuthority,

    /// <summary>The broker's certificate does not hold the host name the client connected to (<see cref="KafkaFailureKind.Tls"/>).</summary>
    HostnameMismatch,

    /// <summary>The broker's certificate has expired, or is not valid yet (<see cref="KafkaFailureKind.Tls"/>).</summary>
    CertificateExpired,

    /// <summary>The broker's certificate could not be verified, and the probe could not say why (<see cref="KafkaFailureKind.Tls"/>).</summary>
    CertificateRejected,

    /// <summary>The client speaks TLS to a listener that does not (<see cref="KafkaFailureKind.Tls"/>).</summary>
    TlsClientOnPlaintextListener,

    /// <summary>The client speaks plaintext to a TLS listener (<see cref="KafkaFailureKind.Tls"/>).</summary>
    PlaintextClientOnTlsListener,

    /// <summary>The listener requires a client certificate (mutual TLS) that the client did not present or the broker did not accept (<see cref="KafkaFailureKind.Tls"/>).</summary>
    ClientCertificateRequired,

    /// <summary>Another TLS handshake failure (<see cref="KafkaFailureKind.Tls"/>).</summary>
    TlsHandshakeFailed,

    /// <summary>The broker refused the SASL credentials (<see cref="KafkaFailureKind.Authentication"/>).</summary>
    SaslAuthenticationFailed,

    /// <summary>No SASL/OAUTHBEARER token could be obtained from the token provider, so the client could not even try (<see cref="KafkaFailureKind.Authentication"/>).</summary>
    OAuthBearerTokenUnavailable,

    /// <summary>The broker does not enable the SASL mechanism, or the listener takes no SASL (<see cref="KafkaFailureKind.Authentication"/>).</summary>
    SaslMechanismRejected,

    /// <summary>The principal may not write, read or describe the topic (<see cref="KafkaFailureKind.Authorization"/>).</summary>
    TopicAuthorization,

    /// <summary>The principal may not use the consumer group (<see cref="KafkaFailureKind.Authorization"/>).</summary>
    GroupAuthorization,

    /// <summary>The principal may not perform the cluster operation (<see cref="KafkaFailureKind.Authorization"/>).</summary>
    ClusterAuthorization,

    /// <summary>The principal may not use the transactional id (<see cref="KafkaFailureKind.Authorization"/>).</summary>
    TransactionalIdAuthorization,

    /// <summary>A fatal client error (<see cref="KafkaFailureKind.Fatal"/>).</summary>
    FatalError,

    /// <summary>Any other error (<see cref="KafkaFailureKind.Other"/>).</summary>
    Other,
}
