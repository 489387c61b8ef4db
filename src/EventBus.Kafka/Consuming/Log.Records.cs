using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>Consumer log messages about records and settings (event ids 2040–2059 of the consumer's 2000–2099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2040, EventName = "NullRecordSkipped", Level = LogLevel.Debug,
        Message = "Record {Topic}[{Partition}]@{Offset} is a null message ({Kind}); skipped and committed, as its handler takes non-null messages only")]
    public static partial void NullRecordSkipped(ILogger logger, string topic, int partition, long offset, string kind);

    [LoggerMessage(EventId = 2041, EventName = "ConsumerSettingFromVariable", Level = LogLevel.Information,
        Message = "Consumer setting {Setting} is {Value} from {Variable}, which wins over {CodeValue} configured in code")]
    public static partial void SettingFromVariable(ILogger logger, string setting, string value, string variable, string codeValue);

    /// <summary>Logs a skipped null message (a tombstone, or a value that reads as null).</summary>
    /// <param name="logger">The logger.</param>
    /// <param name="record">The record.</param>
    public static void NullRecordSkipped(ILogger logger, Confluent.Kafka.ConsumeResult<byte[]?, byte[]?> record)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            NullRecordSkipped(logger, record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Value is null ? "tombstone" : "null value");
        }
    }

    [LoggerMessage(EventId = 2043, EventName = "ConsumerPausedForCommit", Level = LogLevel.Warning,
        Message = "Fetching paused: {Uncommitted} record(s) were handled since the last commit that succeeded, and commits are refused; " +
                  "fetching resumes when a commit succeeds (records handled but not committed are redelivered if the partitions are lost)")]
    public static partial void PausedForCommit(ILogger logger, long uncommitted);

    [LoggerMessage(EventId = 2044, EventName = "PartitionsRevokedUncommitted", Level = LogLevel.Warning,
        Message = "Group {GroupId}: {Count} partition(s) revoked, but the commit of their completed work was refused; the records handled since their last commit will be redelivered to their next owner: {Partitions}")]
    public static partial void RevokedUncommitted(ILogger logger, string groupId, int count, string partitions);

    [LoggerMessage(EventId = 2042, EventName = "DeadLetterTooLarge", Level = LogLevel.Warning,
        Message = "Dead-lettering {Topic}[{Partition}]@{Offset} ({ValueBytes} value bytes) to {DeadLetterTopic} was refused for its size; trying again with a compact stack trace. If it is refused again, raise max.message.bytes of {DeadLetterTopic} and the producer's message.max.bytes (KafkaProducerOptions.AdditionalProperties): until then its offset stays uncommitted")]
    public static partial void DeadLetterTooLarge(ILogger logger, string topic, int partition, long offset, int valueBytes, string deadLetterTopic);

    [LoggerMessage(EventId = 2045, EventName = "PartitionsFetchRestartedAfterError", Level = LogLevel.Warning,
        Message = "Group {GroupId}: librdkafka could not read the committed offsets, which leaves partitions assigned but not fetched; assigned {Count} partition(s) that had received nothing again, so they start from their committed offsets (the first assigned {WaitedSeconds:0.#} s ago): {Partitions}")]
    public static partial void FetchRestartedAfterError(ILogger logger, string groupId, int count, string partitions, double waitedSeconds);

    [LoggerMessage(EventId = 2046, EventName = "PartitionsFetchRestarted", Level = LogLevel.Information,
        Message = "Group {GroupId}: {Count} partition(s) assigned without a record or a fetch position for {WaitedSeconds:0.#} s (idle, or never started fetching) were assigned again, so they start from their committed offsets: {Partitions}")]
    public static partial void FetchRestarted(ILogger logger, string groupId, int count, string partitions, double waitedSeconds);

    [LoggerMessage(EventId = 2047, EventName = "PartitionsFetchRestartFailed", Level = LogLevel.Warning,
        Message = "Group {GroupId}: assigning partitions that had not started fetching again was refused ({Reason}); trying again at the next check: {Partitions}")]
    public static partial void FetchRestartFailed(ILogger logger, Exception exception, string groupId, string partitions, string reason);

    [LoggerMessage(EventId = 2048, EventName = "PartitionsFetchStalled", Level = LogLevel.Warning,
        Message = "Group {GroupId}: {Count} partition(s) received nothing for {QuietSeconds:0.#} s although their leaders hold records beyond their positions (librdkafka stopped fetching them); assigned them again at their positions, so they are fetched from there: {Partitions}")]
    public static partial void FetchStalled(ILogger logger, string groupId, int count, string partitions, double quietSeconds);
}
