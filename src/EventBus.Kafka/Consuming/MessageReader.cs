using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;
using EventBus.Kafka.Serialization;

namespace EventBus.Kafka.Consuming;

/// <summary>Turns record values into messages of one payload type, by the rules of the README's "Consuming: input".</summary>
/// <typeparam name="T">The payload type.</typeparam>
internal sealed class MessageReader<T>
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly IEventSerializer _serializer;
    private readonly JsonTypeInfo<T>? _typeInfo;
    private readonly bool _isJson;

    /// <summary>Initializes a new instance of the <see cref="MessageReader{T}"/> class.</summary>
    /// <param name="serializer">The serializer, for types other than <c>byte[]</c> and <see cref="string"/> without a contract.</param>
    /// <param name="typeInfo">A source-generated JSON contract, or <see langword="null"/>.</param>
    /// <param name="nullableOptIn">Whether the handler was registered for a nullable reference type (AddNullable...).</param>
    public MessageReader(IEventSerializer serializer, JsonTypeInfo<T>? typeInfo, bool nullableOptIn)
    {
        _serializer = serializer;
        _typeInfo = typeInfo;
        _isJson = typeInfo is not null || serializer.ContentType.StartsWith(JsonEventSerializer.JsonContentType, StringComparison.OrdinalIgnoreCase);

        // Nullable<U> is visible at run time; a nullable reference annotation is not, so that takes the explicit opt-in.
        AcceptsNull = nullableOptIn || Nullable.GetUnderlyingType(typeof(T)) is not null;
    }

    /// <summary>Gets a value indicating whether null messages reach the handler.</summary>
    public bool AcceptsNull { get; }

    /// <summary>Reads the record's value.</summary>
    /// <param name="record">The record.</param>
    /// <param name="message">The message; <see langword="null"/> only when the result is false or <see cref="AcceptsNull"/>.</param>
    /// <returns>False for a null message (a tombstone, JSON <c>null</c>, or a serializer returning null).</returns>
    /// <exception cref="DeserializationFailedException">The value cannot be a <typeparamref name="T"/>.</exception>
    public bool TryRead(ConsumeResult<byte[]?, byte[]?> record, out T message)
    {
        var value = record.Message.Value;
        if (value is null)
        {
            message = default!;
            return false;
        }

        try
        {
            if (typeof(T) == typeof(byte[]))
            {
                message = (T)(object)value;
                return true;
            }

            if (typeof(T) == typeof(string))
            {
                message = (T)(object)StrictUtf8.GetString(value);
                return true;
            }

            message = _typeInfo is not null ? JsonSerializer.Deserialize(value, _typeInfo)! : _serializer.Deserialize<T>(value);
            return message is not null;
        }
#pragma warning disable CA1031 // Whatever a serializer or a payload's constructor throws, the record cannot become a T.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // JSON null for a value type (int, a struct) follows the null rule, as it does for a reference type.
            if (_isJson && typeof(T).IsValueType && IsJsonNull(value))
            {
                message = default!;
                return false;
            }

            var what = ex is DecoderFallbackException ? "is not valid UTF-8 text" : "is not a valid " + typeof(T).Name;
            throw new DeserializationFailedException(
                $"The value of {record.Topic}[{record.Partition.Value}]@{record.Offset.Value} {what}: {ex.Message}", ex);
        }
    }

    /// <summary>Whether a value is the JSON literal <c>null</c>, with any JSON white space around it.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it is.</returns>
    internal static bool IsJsonNull(ReadOnlySpan<byte> value) => value.Trim(" \t\r\n"u8).SequenceEqual("null"u8);
}
