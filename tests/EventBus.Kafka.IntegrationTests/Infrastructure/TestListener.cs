namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>A listener of the test broker, i.e. how a client connects and authenticates.</summary>
public enum TestListener
{
    /// <summary>PLAINTEXT, no authentication (principal <c>User:ANONYMOUS</c>). Every broker has it.</summary>
    Plaintext,

    /// <summary>TLS with server authentication only (principal <c>User:ANONYMOUS</c>).</summary>
    Ssl,

    /// <summary>SASL over TLS (SCRAM-SHA-512 unless the test names another mechanism).</summary>
    SaslSsl,

    /// <summary>SASL without TLS.</summary>
    SaslPlaintext,

    /// <summary>TLS that requires a client certificate (principal: the certificate's DN).</summary>
    MutualTls,
}
