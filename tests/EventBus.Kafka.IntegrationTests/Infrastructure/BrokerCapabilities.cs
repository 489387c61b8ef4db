namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>What a test may need from the broker of the run; <see cref="KafkaTestBroker.Require"/> skips when it is missing.</summary>
[Flags]
public enum BrokerCapabilities
{
    /// <summary>Nothing beyond a PLAINTEXT listener (every broker).</summary>
    None = 0,

    /// <summary>The Kafka admin API: CreateTopics, DescribeConfigs, CreatePartitions, IncrementalAlterConfigs.</summary>
    AdminApi = 1,

    /// <summary>A TLS listener and the CA that signed its certificate.</summary>
    Ssl = 2,

    /// <summary>SASL_SSL and SASL_PLAINTEXT listeners taking SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN, with credentials.</summary>
    Sasl = 4,

    /// <summary>A TLS listener that requires a client certificate, and a certificate with an encrypted key that it accepts.</summary>
    MutualTls = 8,

    /// <summary>An authorizer whose ACLs a test may add to (DENY rules on its own topics or principals).</summary>
    Acls = 16,

    /// <summary>Kafka's own admin tools (kafka-topics, kafka-configs, kafka-acls): a second admin client, independent of librdkafka.</summary>
    AdminTools = 32,

    /// <summary>Stopping and starting one broker of the shared cluster.</summary>
    BrokerRestart = 64,
}
