using System.Text;
using Confluent.Kafka;

namespace EventBus.Kafka.Consuming;

/// <summary>One consumed event: the typed message and everything about the record it came in.</summary>
/// <typeparam name="T">The payload type.</typeparam>
public sealed class EventContext<T>
{
    internal EventContext(T message, ConsumeResult<byte[]?, byte[]?> record)
    {
        Message = message;
        Record = record;
    }

    /// <summary>Gets the deserialized payload.</summary>
    public T Message { get; }

    /// <summary>Gets the record key as UTF-8 text, or <see langword="null"/>.</summary>
    public string? Key => Record.Message.Key is { } key ? Encoding.UTF8.GetString(key) : null;

    /// <summary>Gets the topic.</summary>
    public string Topic => Record.Topic;

    /// <summary>Gets the partition.</summary>
    public int Partition => Record.Partition.Value;

    /// <summary>Gets the offset.</summary>
    public long Offset => Record.Offset.Value;

    /// <summary>Gets the record timestamp (UTC).</summary>
    public DateTimeOffset Timestamp => Record.Message.Timestamp.UtcDateTime;

    /// <summary>Gets the record headers.</summary>
    public Headers Headers => Record.Message.Headers ?? [];

    /// <summary>Gets which attempt this is: 1 the first time, 2 on the first retry, and so on.</summary>
    public int Attempt { get; internal set; } = 1;

    /// <summary>Gets the raw record as consumed.</summary>
    public ConsumeResult<byte[]?, byte[]?> Record { get; }

    /// <summary>Gets the last value of a header as UTF-8 text.</summary>
    /// <param name="name">The header name.</param>
    /// <returns>The value, or <see langword="null"/> when absent.</returns>
    public string? GetHeader(string name) =>
        Record.Message.Headers is { } headers && headers.TryGetLastBytes(name, out var value) && value is not null
            ? Encoding.UTF8.GetString(value)
            : null;

    /// <inheritdoc />
    public override string ToString() => $"{Topic}[{Partition}]@{Offset} (attempt {Attempt})";
}
