using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// The headers of a dead-lettered record: the original headers, then the Spring-compatible
/// <see cref="DeadLetterHeaderNames"/> (exception, stack trace capped at <see cref="DeadLetterHeaderNames.MaxStackTraceBytes"/>,
/// original topic, 4-byte big-endian partition, 8-byte big-endian offset and timestamp, timestamp type, group).
/// </summary>
internal static class DeadLetterRecord
{
    /// <summary>The stack trace header's cap in the compact form.</summary>
    public const int CompactStackTraceBytes = 512;

    /// <summary>Builds the headers for the DLQ copy of <paramref name="record"/>.</summary>
    /// <param name="record">The original record.</param>
    /// <param name="error">Why it is dead-lettered.</param>
    /// <param name="groupId">The consumer group's name, UTF-8.</param>
    /// <param name="compact">Keep only the first line of the stack trace (at most <see cref="CompactStackTraceBytes"/>):
    /// for a record near the size limit that the dead-letter topic refused with its full headers.</param>
    /// <returns>The headers.</returns>
    public static Headers CreateHeaders(ConsumeResult<byte[]?, byte[]?> record, Exception error, byte[] groupId, bool compact = false)
    {
        var headers = new Headers();
        if (record.Message.Headers is { } original)
        {
            foreach (var header in original)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }

        var partition = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(partition, record.Partition.Value);
        var offset = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(offset, record.Offset.Value);
        var timestamp = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(timestamp, record.Message.Timestamp.UnixTimestampMs);
        var trace = error.ToString();
        var stackTrace = Encoding.UTF8.GetBytes(compact ? trace.Split('\n')[0] : trace);
        var cap = compact ? CompactStackTraceBytes : DeadLetterHeaderNames.MaxStackTraceBytes;
        if (stackTrace.Length > cap)
        {
            Array.Resize(ref stackTrace, cap);
        }

        headers.Add(DeadLetterHeaderNames.ExceptionFqcn, Encoding.UTF8.GetBytes(error.GetType().FullName ?? error.GetType().Name));
        headers.Add(DeadLetterHeaderNames.ExceptionMessage, Encoding.UTF8.GetBytes(error.Message));
        headers.Add(DeadLetterHeaderNames.ExceptionStackTrace, stackTrace);
        headers.Add(DeadLetterHeaderNames.OriginalTopic, Encoding.UTF8.GetBytes(record.Topic));
        headers.Add(DeadLetterHeaderNames.OriginalPartition, partition);
        headers.Add(DeadLetterHeaderNames.OriginalOffset, offset);
        headers.Add(DeadLetterHeaderNames.OriginalTimestamp, timestamp);
        headers.Add(DeadLetterHeaderNames.OriginalTimestampType, Encoding.UTF8.GetBytes(record.Message.Timestamp.Type == TimestampType.LogAppendTime ? "LogAppendTime" : "CreateTime"));
        headers.Add(DeadLetterHeaderNames.OriginalConsumerGroup, groupId);
        return headers;
    }
}
