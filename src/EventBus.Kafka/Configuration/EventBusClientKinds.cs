namespace EventBus.Kafka.Configuration;

/// <summary>The kinds of client a validation is for: some settings are required by one kind only.</summary>
[Flags]
public enum EventBusClientKinds
{
    /// <summary>Producers and the admin client: the connection, producer and topic settings.</summary>
    Producer = 1,

    /// <summary>Consumers: additionally requires <c>KAFKA_CONSUMER_GROUP</c>.</summary>
    Consumer = 2,

    /// <summary>Both.</summary>
    All = Producer | Consumer,
}
