using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Producing;

/// <summary>Producer log messages. Event ids 1000–1099; names are frozen once shipped.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, EventName = "ProducerCreated", Level = LogLevel.Information,
        Message = "Kafka producer {ClientId} created for {BootstrapServers} (acks={Acks}, idempotence={Idempotence}, compression={Compression})")]
    public static partial void ProducerCreated(ILogger logger, string clientId, string bootstrapServers, string acks, bool idempotence, string compression);

    [LoggerMessage(EventId = 1001, EventName = "ProducerFatalError", Level = LogLevel.Critical,
        Message = "Kafka producer {ClientId} hit a fatal error ({Code}: {Reason}); the producer's idempotence state is lost")]
    public static partial void FatalError(ILogger logger, string clientId, string code, string reason);

    [LoggerMessage(EventId = 1002, EventName = "ProducerRebuilt", Level = LogLevel.Warning,
        Message = "Kafka producer rebuilt after a fatal error as {ClientId}; messages queued on the failed producer fail with a retriable error")]
    public static partial void Rebuilt(ILogger logger, string clientId);

    [LoggerMessage(EventId = 1003, EventName = "ProducerFailed", Level = LogLevel.Critical,
        Message = "Kafka producer {ClientId} hit a second fatal error after being rebuilt; publishing fails until the service restarts")]
    public static partial void FailedPermanently(ILogger logger, string clientId);

    // 1004 ProducerClientError is retired: client errors are diagnosed and logged by Diagnostics (6000-6099).

    [LoggerMessage(EventId = 1005, EventName = "ProducerClosed", Level = LogLevel.Information,
        Message = "Kafka producer {ClientId} closed: {Delivered} message(s) delivered, none failed, none left undelivered")]
    public static partial void Closed(ILogger logger, string clientId, long delivered);

    [LoggerMessage(EventId = 1006, EventName = "ProducerClosedWithUndelivered", Level = LogLevel.Warning,
        Message = "Kafka producer {ClientId} closed after flushing for at most {CloseTimeoutSeconds} s: {Delivered} message(s) delivered, {Failed} failed, {Undelivered} left undelivered by the close (they may or may not be stored)")]
    public static partial void ClosedWithUndelivered(ILogger logger, string clientId, double closeTimeoutSeconds, long delivered, long failed, int undelivered);

    [LoggerMessage(EventId = 1007, EventName = "ProducerQueueFull", Level = LogLevel.Debug,
        Message = "Kafka producer {ClientId}: local queue full, waiting for room")]
    public static partial void QueueFull(ILogger logger, string clientId);

    [LoggerMessage(EventId = 1008, EventName = "LibrdkafkaLog", Message = "librdkafka {Name} {Facility}: {Text}")]
    public static partial void Librdkafka(ILogger logger, LogLevel level, string name, string facility, string text);

    [LoggerMessage(EventId = 1009, EventName = "ProducerQueueDiscarded", Level = LogLevel.Error,
        Message = "Kafka producer {ClientId}: {Reason}; the messages it had queued fail now, not retriable, and it is replaced by {NewClientId} so that none of them can be delivered later")]
    public static partial void QueueDiscarded(ILogger logger, string clientId, string newClientId, string reason);
}
