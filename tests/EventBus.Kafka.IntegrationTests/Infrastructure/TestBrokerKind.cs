namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>Which broker the integration suite runs against.</summary>
public enum TestBrokerKind
{
    /// <summary>librdkafka's mock cluster, in process: always available, no admin API.</summary>
    Mock,

    /// <summary>A real Kafka started by Testcontainers, when a Docker engine answers.</summary>
    Testcontainers,

    /// <summary>Any broker named by EVENTBUS_TEST_BOOTSTRAP_SERVERS (PLAINTEXT).</summary>
    External,

    /// <summary>
    /// The real Apache Kafka of the kit in <c>../shared/kafka</c>, named by EVENTBUS_TEST_KAFKA_DIR: the admin API,
    /// SSL, SASL, mutual TLS, ACLs, its admin tools and single-broker stop/start.
    /// </summary>
    Kit,
}
