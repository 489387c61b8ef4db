using System.Text;
using System.Text.Unicode;
using Confluent.Kafka;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Consuming;

/// <summary>One consumed event: the typed message and everything about the record it came in.</summary>
/// <typeparam name="T">The payload type.</typeparam>
public sealed class EventContext<T> : ExactlyOnce.IProducerBinding
{
    private IEventProducer? _producer;

    internal EventContext(T message, ConsumeResult<byte[]?, byte[]?> record)
    {
        Message = message;
        Record = record;
    }

    /// <summary>Gets the deserialized payload.</summary>
    /// <value>
    /// Never <see langword="null"/> for a handler of a non-nullable type: tombstones and JSON <c>null</c> are skipped
    /// (and committed) before the handler. Only a handler registered for a <see cref="Nullable{T}"/> value type or with
    /// <c>AddNullableHandler</c>, <c>AddNullableTopicHandler</c> or <c>AddNullableBatchHandler</c> receives them, as <see langword="null"/>.
    /// </value>
    public T Message { get; }

    /// <summary>Gets the record key as UTF-8 text.</summary>
    /// <value>
    /// <see langword="null"/> when the record has no key, and when the key is not valid UTF-8 (a binary key is never
    /// shown as text with replacement characters); <see cref="RawKey"/> has the bytes either way.
    /// </value>
    public string? Key => Record.Message.Key is { } key && Utf8.IsValid(key) ? Encoding.UTF8.GetString(key) : null;

    /// <summary>Gets the record key as it was written, or <see langword="null"/> when it has none.</summary>
    public byte[]? RawKey => Record.Message.Key;

    /// <summary>Gets the topic.</summary>
    public string Topic => Record.Topic;

    /// <summary>Gets the partition.</summary>
    public int Partition => Record.Partition.Value;

    /// <summary>Gets the offset.</summary>
    public long Offset => Record.Offset.Value;

    /// <summary>Gets the record timestamp (UTC).</summary>
    public DateTimeOffset Timestamp => Record.Message.Timestamp.UtcDateTime;

    /// <summary>Gets the record headers, in the order they were written, duplicates and binary values included.</summary>
    /// <value>Empty for a record written without headers. EventBus reads none of them to deserialize a record.</value>
    public Headers Headers => Record.Message.Headers ?? [];

    /// <summary>Gets which attempt this is: 1 the first time, 2 on the first retry, and so on.</summary>
    public int Attempt { get; internal set; } = 1;

    /// <summary>
    /// Gets the producer to publish follow-up events through in exactly-once mode (<see cref="EventConsumerOptions.ExactlyOnce"/>):
    /// what the handler publishes commits in the consumer's transaction together with this record's offset, and is
    /// discarded with the attempt when the handler throws.
    /// </summary>
    /// <value>
    /// Publishes complete at once, with no partition or offset yet (the records are written when the commit cycle runs);
    /// await them before the handler returns. Read_committed readers see them once the transaction commits.
    /// </value>
    /// <exception cref="InvalidOperationException">The consumer is not in exactly-once mode: publish through an <see cref="EventProducer"/>.</exception>
    public IEventProducer Producer => _producer ?? throw new InvalidOperationException(
        "EventContext.Producer publishes inside the consumer's transaction and exists only in exactly-once mode " +
        "(EventConsumerOptions.ExactlyOnce, KAFKA_CONSUMER_EXACTLY_ONCE=true); in at-least-once mode publish through an EventProducer.");

    /// <inheritdoc />
    IEventProducer? ExactlyOnce.IProducerBinding.Producer
    {
        get => _producer;
        set => _producer = value;
    }

    /// <summary>Gets the raw record as consumed.</summary>
    public ConsumeResult<byte[]?, byte[]?> Record { get; }

    /// <summary>Gets the last value of a header as UTF-8 text (Kafka's rule for a name written more than once).</summary>
    /// <param name="name">The header name (case-sensitive).</param>
    /// <returns>
    /// The value, or <see langword="null"/> when the header is absent, has a null value, or its last value is not valid
    /// UTF-8 (read binary values and every duplicate through <see cref="Headers"/>).
    /// </returns>
    public string? GetHeader(string name) =>
        Record.Message.Headers is { } headers && headers.TryGetLastBytes(name, out var value) && value is not null && Utf8.IsValid(value)
            ? Encoding.UTF8.GetString(value)
            : null;

    /// <inheritdoc />
    public override string ToString() => $"{Topic}[{Partition}]@{Offset} (attempt {Attempt})";
}
