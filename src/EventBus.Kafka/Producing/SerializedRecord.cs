using Confluent.Kafka;

namespace EventBus.Kafka.Producing;

/// <summary>
/// A record as built for producing: its key and value bytes and its headers. A value, not an object: the publish path
/// copies it into the one Confluent message a client lends to <c>Produce</c>, so a publish allocates no second message.
/// </summary>
/// <param name="Key">The key bytes, or <see langword="null"/>.</param>
/// <param name="Value">The value bytes, or <see langword="null"/> (a tombstone).</param>
/// <param name="Headers">The headers (never <see langword="null"/>).</param>
internal readonly record struct SerializedRecord(byte[]? Key, byte[]? Value, Headers Headers)
{
    /// <summary>The record as a Confluent message of its own (for paths that hand the message itself to a producer).</summary>
    /// <returns>A new message.</returns>
    public Message<byte[]?, byte[]?> ToMessage() => new() { Key = Key, Value = Value, Headers = Headers };
}
