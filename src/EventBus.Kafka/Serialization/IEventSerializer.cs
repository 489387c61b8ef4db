namespace EventBus.Kafka.Serialization;

/// <summary>
/// Turns event payloads into bytes and back. EventBus uses <see cref="JsonEventSerializer"/> unless given another;
/// <c>byte[]</c> and <see cref="string"/> payloads never reach the serializer (they pass through untouched).
/// </summary>
/// <remarks>Implementations must be thread-safe: one instance serves every publish and every consumed record.</remarks>
public interface IEventSerializer
{
    /// <summary>Gets the MIME type written to the <c>content-type</c> header, e.g. <c>application/json</c>.</summary>
    string ContentType { get; }

    /// <summary>Serializes a payload.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="value">The payload.</param>
    /// <returns>The bytes to put in the record value.</returns>
    byte[] Serialize<T>(T value);

    /// <summary>Deserializes a record value.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="data">The record value.</param>
    /// <returns>The payload.</returns>
    T Deserialize<T>(ReadOnlySpan<byte> data);
}
