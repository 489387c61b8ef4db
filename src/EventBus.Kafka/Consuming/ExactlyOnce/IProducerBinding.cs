using Confluent.Kafka;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>A handler context whose <see cref="EventContext{T}.Producer"/> exactly-once mode binds to the record's attempt.</summary>
internal interface IProducerBinding
{
    /// <summary>Gets or sets the producer the handler publishes through.</summary>
    IEventProducer? Producer { get; set; }

    /// <summary>Gets the record the context was made for.</summary>
    ConsumeResult<byte[]?, byte[]?> Record { get; }
}
