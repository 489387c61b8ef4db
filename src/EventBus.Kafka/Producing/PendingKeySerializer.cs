using Confluent.Kafka;

namespace EventBus.Kafka.Producing;

/// <summary>
/// The producer's key serializer: the record's key object is the message waiting for its delivery report, and its key
/// bytes are the ones it holds while being handed to librdkafka (<see cref="IPendingDelivery.KeyBytes"/>).
/// </summary>
internal sealed class PendingKeySerializer : ISerializer<IPendingDelivery>
{
    /// <summary>Gets the instance (it holds no state).</summary>
    public static PendingKeySerializer Instance { get; } = new();

    /// <inheritdoc />
    public byte[]? Serialize(IPendingDelivery data, SerializationContext context) => data.KeyBytes;
}
