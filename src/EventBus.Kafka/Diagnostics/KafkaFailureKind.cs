namespace EventBus.Kafka.Diagnostics;

/// <summary>The class of a Kafka client failure: what kind of thing is wrong, and so who can fix it.</summary>
public enum KafkaFailureKind
{
    /// <summary>No broker answers: a name that does not resolve, a refused or timed-out connection. It may come back by itself.</summary>
    Unreachable,

    /// <summary>The TLS handshake fails: an unknown CA, a host name the certificate does not hold, an expired certificate, TLS against a plaintext listener or the reverse. A configuration error.</summary>
    Tls,

    /// <summary>The broker refuses the SASL credentials or mechanism. A configuration error.</summary>
    Authentication,

    /// <summary>The broker's ACLs do not allow the operation (write a topic, read a group...). A configuration error on the broker's side.</summary>
    Authorization,

    /// <summary>A fatal client error (the idempotent producer's state is lost): the client must be rebuilt.</summary>
    Fatal,

    /// <summary>Any other client error, reported as librdkafka gave it.</summary>
    Other,
}
