using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>Consumer log messages. Event ids 2000–2099; names are frozen once shipped.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, EventName = "ConsumerStarted", Level = LogLevel.Information,
        Message = "Consumer of group {GroupId} started on {Topics} (max concurrency {MaxConcurrency}, in-flight bound {MaxInFlight})")]
    public static partial void Started(ILogger logger, string groupId, string topics, int maxConcurrency, int maxInFlight);

    [LoggerMessage(EventId = 2001, EventName = "PartitionsAssigned", Level = LogLevel.Information,
        Message = "Group {GroupId}: {Count} partition(s) assigned: {Partitions}")]
    public static partial void Assigned(ILogger logger, string groupId, int count, string partitions);

    [LoggerMessage(EventId = 2002, EventName = "PartitionsRevoked", Level = LogLevel.Information,
        Message = "Group {GroupId}: {Count} partition(s) revoked after committing their completed work: {Partitions}")]
    public static partial void Revoked(ILogger logger, string groupId, int count, string partitions);

    [LoggerMessage(EventId = 2003, EventName = "PartitionsLost", Level = LogLevel.Warning,
        Message = "Group {GroupId}: {Count} partition(s) lost; their uncommitted work will be redelivered: {Partitions}")]
    public static partial void Lost(ILogger logger, string groupId, int count, string partitions);

    [LoggerMessage(EventId = 2004, EventName = "RevokeTimedOut", Level = LogLevel.Warning,
        Message = "Revocation waited {TimeoutSeconds} s for in-flight work; {InFlight} record(s) still running were cancelled and will be redelivered")]
    public static partial void RevokeTimedOut(ILogger logger, double timeoutSeconds, long inFlight);

    [LoggerMessage(EventId = 2005, EventName = "CommitDeferred", Level = LogLevel.Information,
        Message = "Commit of {Count} partition offset(s) refused during a rebalance ({Code}); expected; they are committed again later, unless their partitions are revoked or lost meanwhile (their records are then redelivered)")]
    public static partial void CommitDeferred(ILogger logger, string code, int count);

    [LoggerMessage(EventId = 2006, EventName = "CommitFailed", Level = LogLevel.Warning,
        Message = "Commit of {Count} partition offset(s) failed ({Code}); it is retried with the next commit")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string code, int count);

    [LoggerMessage(EventId = 2007, EventName = "HandlerRetrying", Level = LogLevel.Warning,
        Message = "Handler failed on {Topic}[{Partition}]@{Offset} (attempt {Attempt}, {ExceptionType}); retrying in {DelayMs:0} ms")]
    public static partial void Retrying(ILogger logger, string topic, int partition, long offset, int attempt, double delayMs, string exceptionType);

    [LoggerMessage(EventId = 2008, EventName = "HandlerGaveUp", Level = LogLevel.Error,
        Message = "Handler failed on {Topic}[{Partition}]@{Offset} after {Attempts} attempt(s); dead-lettering the record")]
    public static partial void GivingUp(ILogger logger, Exception exception, string topic, int partition, long offset, int attempts);

    [LoggerMessage(EventId = 2009, EventName = "DeserializationFailed", Level = LogLevel.Error,
        Message = "Record {Topic}[{Partition}]@{Offset} cannot be deserialized ({ExceptionType}); dead-lettering it without retries")]
    public static partial void DeserializationFailed(ILogger logger, string topic, int partition, long offset, string exceptionType);

    [LoggerMessage(EventId = 2010, EventName = "DeadLettered", Level = LogLevel.Warning,
        Message = "Record {Topic}[{Partition}]@{Offset} dead-lettered to {DeadLetterTopic}[{DeadLetterPartition}]@{DeadLetterOffset}")]
    public static partial void DeadLettered(ILogger logger, string topic, int partition, long offset, string deadLetterTopic, int deadLetterPartition, long deadLetterOffset);

    [LoggerMessage(EventId = 2011, EventName = "DeadLetterFailed", Level = LogLevel.Error,
        Message = "Publishing {Topic}[{Partition}]@{Offset} to the dead-letter topic failed (attempt {Attempt}); its offset stays uncommitted and the publish is retried")]
    public static partial void DeadLetterFailed(ILogger logger, Exception exception, string topic, int partition, long offset, int attempt);

    [LoggerMessage(EventId = 2012, EventName = "ErrorEventFailed", Level = LogLevel.Warning,
        Message = "Publishing the error event for {Topic}[{Partition}]@{Offset} to {ErrorsTopic} failed; the record itself is in the dead-letter topic")]
    public static partial void ErrorEventFailed(ILogger logger, Exception exception, string errorsTopic, string topic, int partition, long offset);

    [LoggerMessage(EventId = 2013, EventName = "ConsumerPaused", Level = LogLevel.Debug,
        Message = "Fetching paused: {InFlight} record(s) in flight reached the bound of {MaxInFlight}")]
    public static partial void Paused(ILogger logger, long inFlight, int maxInFlight);

    [LoggerMessage(EventId = 2014, EventName = "ConsumerResumed", Level = LogLevel.Debug,
        Message = "Fetching resumed with {InFlight} record(s) in flight")]
    public static partial void Resumed(ILogger logger, long inFlight);

    [LoggerMessage(EventId = 2015, EventName = "ConsumerStopping", Level = LogLevel.Information,
        Message = "Consumer of group {GroupId} stopping with {InFlight} record(s) in flight")]
    public static partial void Stopping(ILogger logger, string groupId, long inFlight);

    [LoggerMessage(EventId = 2016, EventName = "ShutdownTimedOut", Level = LogLevel.Warning,
        Message = "In-flight work did not finish within {TimeoutSeconds} s; cancelling {InFlight} handler(s), their records will be redelivered")]
    public static partial void ShutdownTimedOut(ILogger logger, double timeoutSeconds, long inFlight);

    [LoggerMessage(EventId = 2017, EventName = "CloseTimedOut", Level = LogLevel.Warning,
        Message = "Committing and leaving the group did not finish within {TimeoutSeconds} s (broker unreachable?); the consumer is abandoned to finish on its own")]
    public static partial void CloseTimedOut(ILogger logger, double timeoutSeconds);

    [LoggerMessage(EventId = 2018, EventName = "ConsumerStopped", Level = LogLevel.Information,
        Message = "Consumer of group {GroupId} stopped in {ElapsedMs:0} ms")]
    public static partial void Stopped(ILogger logger, string groupId, double elapsedMs);

    [LoggerMessage(EventId = 2019, EventName = "ConsumerFatalError", Level = LogLevel.Critical,
        Message = "Consumer of group {GroupId} stopping on a fatal Kafka error {Code}: {Reason}")]
    public static partial void Fatal(ILogger logger, string groupId, string code, string reason);

    [LoggerMessage(EventId = 2020, EventName = "ConsumerWarning", Level = LogLevel.Warning, Message = "Consumer: {Code}: {Reason}")]
    public static partial void ConsumerWarning(ILogger logger, string code, string reason);

    // 2021 ConsumerClientError is retired: client errors are diagnosed and logged by Diagnostics (6000-6099).

    [LoggerMessage(EventId = 2022, EventName = "PollLoopFailed", Level = LogLevel.Critical, Message = "The poll loop of group {GroupId} failed")]
    public static partial void PollLoopFailed(ILogger logger, Exception exception, string groupId);

    [LoggerMessage(EventId = 2023, EventName = "ConsumerKilled", Level = LogLevel.Warning, Message = "Consumer of group {GroupId} killed without committing")]
    public static partial void Killed(ILogger logger, string groupId);

    [LoggerMessage(EventId = 2024, EventName = "LibrdkafkaLog", Message = "librdkafka {Name} {Facility}: {Text}")]
    public static partial void Librdkafka(ILogger logger, LogLevel level, string name, string facility, string text);

    [LoggerMessage(EventId = 2025, EventName = "LaneFailed", Level = LogLevel.Critical,
        Message = "Processing {Topic}[{Partition}]@{Offset} failed outside the handler's error policy; the consumer stops")]
    public static partial void LaneFailed(ILogger logger, Exception exception, string topic, int partition, long offset);

    [LoggerMessage(EventId = 2026, EventName = "LaneFailedAfterStop", Level = LogLevel.Warning,
        Message = "Processing {Topic}[{Partition}]@{Offset} failed after the consumer stopped; the record was not committed")]
    public static partial void LaneFailedAfterStop(ILogger logger, Exception exception, string topic, int partition, long offset);

    [LoggerMessage(EventId = 2027, EventName = "PartitionCallbackFailed", Level = LogLevel.Error,
        Message = "The {Callback} callback of group {GroupId} threw; the consumer goes on")]
    public static partial void CallbackFailed(ILogger logger, Exception exception, string callback, string groupId);

    [LoggerMessage(EventId = 2028, EventName = "CancellationCallbackFailed", Level = LogLevel.Warning,
        Message = "A callback registered on a handler's cancellation token threw; the consumer goes on")]
    public static partial void CancellationCallbackFailed(ILogger logger, Exception exception);
}
