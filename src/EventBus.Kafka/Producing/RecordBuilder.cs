using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Serialization;

namespace EventBus.Kafka.Producing;

/// <summary>
/// Turns a payload into a record: <c>byte[]</c> and <see cref="string"/> pass through, other types go through the
/// serializer (or a <see cref="JsonTypeInfo{T}"/>); then the standard headers of <see cref="EventHeaderNames"/> where
/// the caller did not set them. The constant headers are encoded once and shared; only the message id is new.
/// </summary>
internal sealed class RecordBuilder
{
    private static readonly Header OctetStreamHeader = new(EventHeaderNames.ContentType, Encoding.ASCII.GetBytes("application/octet-stream"));
    private static readonly Header TextPlainHeader = new(EventHeaderNames.ContentType, Encoding.ASCII.GetBytes("text/plain; charset=utf-8"));
    private static readonly Header JsonHeader = new(EventHeaderNames.ContentType, Encoding.ASCII.GetBytes(JsonEventSerializer.JsonContentType));
    private readonly IEventSerializer _serializer;
    private readonly Header _serializerContentType;
    private readonly Header _source;
    private readonly EpochSecondsHeader _timestamp = new();

    /// <summary>Initializes a new instance of the <see cref="RecordBuilder"/> class.</summary>
    /// <param name="options">The options (<c>SERVICE_NAME</c> for the <c>source</c> header).</param>
    /// <param name="serializer">The payload serializer.</param>
    public RecordBuilder(EventBusOptions options, IEventSerializer serializer)
    {
        _serializer = serializer;
        _serializerContentType = new Header(EventHeaderNames.ContentType, Encoding.UTF8.GetBytes(serializer.ContentType));
        _source = new Header(EventHeaderNames.Source, Encoding.UTF8.GetBytes(options.Connection.ServiceName ?? string.Empty));
    }

    /// <summary>Builds the record: the serialized value, the key, the caller's headers and the standard ones.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="message">The payload.</param>
    /// <param name="typeInfo">A source-generated JSON contract, or <see langword="null"/> for the serializer.</param>
    /// <param name="partitionKey">The key.</param>
    /// <param name="extraHeaders">The caller's headers.</param>
    /// <param name="messageId">The message id's bytes (the caller's, when it set one).</param>
    /// <returns>The record.</returns>
    public SerializedRecord CreateRecord<T>(T message, JsonTypeInfo<T>? typeInfo, string? partitionKey, IEnumerable<KeyValuePair<string, string>>? extraHeaders, out byte[] messageId)
    {
        var value = SerializeValue(message, typeInfo, out var contentType);
        var headers = new Headers();
        messageId = AddStandardHeaders(headers, contentType, extraHeaders);
        return new SerializedRecord(partitionKey is null ? null : Encoding.UTF8.GetBytes(partitionKey), value, headers);
    }

    private byte[]? SerializeValue<T>(T message, JsonTypeInfo<T>? typeInfo, out Header? contentType)
    {
        if (!typeof(T).IsValueType)
        {
            switch (message)
            {
                case null:
                    contentType = null;
                    return null;
                case byte[] bytes:
                    contentType = OctetStreamHeader;
                    return bytes;
                case string text:
                    contentType = TextPlainHeader;
                    return Encoding.UTF8.GetBytes(text);
            }
        }

        if (typeInfo is not null)
        {
            contentType = JsonHeader;
            return JsonSerializer.SerializeToUtf8Bytes(message, typeInfo);
        }

        contentType = _serializerContentType;
        return _serializer.Serialize(message);
    }

    /// <summary>
    /// Adds the standard headers that <paramref name="headers"/> (plus <paramref name="extra"/>) do not already have;
    /// returns the message id's bytes. The constant headers are shared <see cref="Header"/> instances (librdkafka
    /// copies them when producing); only the message id is new per message.
    /// </summary>
    public byte[] AddStandardHeaders(Headers headers, Header? contentType, IEnumerable<KeyValuePair<string, string>>? extra)
    {
        if (extra is not null)
        {
            foreach (var (name, value) in extra)
            {
                ArgumentNullException.ThrowIfNull(name);
                headers.Add(name, value is null ? null : Encoding.UTF8.GetBytes(value));
            }
        }

        var existing = headers.Count;
        bool Has(string name)
        {
            for (var i = 0; i < existing; i++)
            {
                if (string.Equals(headers[i].Key, name, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        byte[]? callerMessageId = null;
        if (existing > 0 && headers.TryGetLastBytes(EventHeaderNames.MessageId, out var idBytes) && idBytes is not null)
        {
            callerMessageId = idBytes;
        }

        if (existing == 0 || !Has(EventHeaderNames.Timestamp))
        {
            headers.Add(_timestamp.Current());
        }

        if (existing == 0 || !Has(EventHeaderNames.Source))
        {
            headers.Add(_source);
        }

        var messageId = callerMessageId;
        if (messageId is null)
        {
            messageId = new byte[32];
            Guid.NewGuid().TryFormat(messageId, out _, "N");
            headers.Add(new Header(EventHeaderNames.MessageId, messageId));
        }

        if (contentType is not null && (existing == 0 || !Has(EventHeaderNames.ContentType)))
        {
            headers.Add(contentType);
        }

        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity && (existing == 0 || !Has(EventHeaderNames.TraceParent)))
        {
            headers.Add(EventHeaderNames.TraceParent, Encoding.ASCII.GetBytes(activity.Id!));
            if (activity.TraceStateString is { Length: > 0 } traceState)
            {
                headers.Add(EventHeaderNames.TraceState, Encoding.UTF8.GetBytes(traceState));
            }
        }

        return messageId;
    }
}
