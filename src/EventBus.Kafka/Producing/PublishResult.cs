using System.Text;

namespace EventBus.Kafka.Producing;

/// <summary>Where the broker stored a published message.</summary>
public sealed record PublishResult
{
    private readonly byte[]? _messageIdBytes;
    private string? _messageId;

    /// <summary>Initializes a new instance of the <see cref="PublishResult"/> class.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The offset in the partition.</param>
    /// <param name="timestamp">The record timestamp (UTC).</param>
    /// <param name="messageId">The value of the <c>message-id</c> header.</param>
    public PublishResult(string topic, int partition, long offset, DateTimeOffset timestamp, string messageId)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(messageId);
        Topic = topic;
        Partition = partition;
        Offset = offset;
        Timestamp = timestamp;
        _messageId = messageId;
    }

    /// <summary>Initializes a new instance of the <see cref="PublishResult"/> class with the message id as the header's bytes, decoded on first read.</summary>
    internal PublishResult(string topic, int partition, long offset, DateTimeOffset timestamp, byte[] messageId)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
        Timestamp = timestamp;
        _messageIdBytes = messageId;
    }

    /// <summary>Gets the topic.</summary>
    public string Topic { get; }

    /// <summary>Gets the partition.</summary>
    public int Partition { get; }

    /// <summary>Gets the offset in the partition.</summary>
    public long Offset { get; }

    /// <summary>Gets the record timestamp (UTC).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the value of the <c>message-id</c> header.</summary>
    public string MessageId => _messageId ??= Encoding.UTF8.GetString(_messageIdBytes!);

    /// <inheritdoc />
    public bool Equals(PublishResult? other) =>
        other is not null && Topic == other.Topic && Partition == other.Partition && Offset == other.Offset
        && Timestamp == other.Timestamp && MessageId == other.MessageId;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Topic, Partition, Offset, Timestamp, MessageId);
}
