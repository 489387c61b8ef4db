namespace EventBus.Kafka.Consuming;

/// <summary>
/// Headers on dead-lettered records. The names and encodings are Spring for Apache Kafka's
/// (<c>KafkaHeaders.DLT_*</c>), so tools from either ecosystem read them.
/// </summary>
public static class DeadLetterHeaderNames
{
    /// <summary>Full name of the exception type (UTF-8).</summary>
    public const string ExceptionFqcn = "kafka_dlt-exception-fqcn";

    /// <summary>Exception message (UTF-8).</summary>
    public const string ExceptionMessage = "kafka_dlt-exception-message";

    /// <summary>Exception stack trace (UTF-8), capped at <see cref="MaxStackTraceBytes"/>.</summary>
    public const string ExceptionStackTrace = "kafka_dlt-exception-stacktrace";

    /// <summary>Original topic (UTF-8).</summary>
    public const string OriginalTopic = "kafka_dlt-original-topic";

    /// <summary>Original partition (4-byte big-endian int).</summary>
    public const string OriginalPartition = "kafka_dlt-original-partition";

    /// <summary>Original offset (8-byte big-endian long).</summary>
    public const string OriginalOffset = "kafka_dlt-original-offset";

    /// <summary>Original timestamp, Unix milliseconds (8-byte big-endian long).</summary>
    public const string OriginalTimestamp = "kafka_dlt-original-timestamp";

    /// <summary>Original timestamp type, e.g. <c>CreateTime</c> (UTF-8).</summary>
    public const string OriginalTimestampType = "kafka_dlt-original-timestamp-type";

    /// <summary>The consumer group that gave up on the record (UTF-8).</summary>
    public const string OriginalConsumerGroup = "kafka_dlt-original-consumer-group";

    /// <summary>The largest stack trace written, in bytes; longer ones are cut.</summary>
    public const int MaxStackTraceBytes = 8 * 1024;
}
