using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>Exactly-once log messages. Event ids 2060–2079 (the consumer's range); names are frozen once shipped.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2060, EventName = "ExactlyOncePathChosen", Level = LogLevel.Information,
        Message = "Group {GroupId}: exactly-once with {Path} (lowest inter.broker.protocol.version {BrokerVersion}; {Why})")]
    public static partial void PathChosen(ILogger logger, string groupId, string path, string brokerVersion, string why);

    [LoggerMessage(EventId = 2061, EventName = "TransactionAborted", Level = LogLevel.Warning,
        Message = "Transaction of {TransactionalId} aborted ({Code}: {Reason}); {Partitions} start over at their committed offsets and their records are redelivered")]
    public static partial void Aborted(ILogger logger, string transactionalId, string code, string reason, string partitions);

    [LoggerMessage(EventId = 2062, EventName = "TransactionalProducerFenced", Level = LogLevel.Warning,
        Message = "Transactional producer {TransactionalId} was fenced or failed fatally ({Code}: {Reason}): another instance may have taken over; it is rebuilt and {Partitions} start over at their committed offsets")]
    public static partial void Fenced(ILogger logger, string transactionalId, string code, string reason, string partitions);

    [LoggerMessage(EventId = 2063, EventName = "TransactionRetrying", Level = LogLevel.Information,
        Message = "Transaction of {TransactionalId}: {Operation} failed with a retriable error ({Code}: {Reason}); trying again")]
    public static partial void Retrying(ILogger logger, string transactionalId, string operation, string code, string reason);

    [LoggerMessage(EventId = 2064, EventName = "TransactionalProducerError", Level = LogLevel.Debug,
        Message = "Transactional producer {TransactionalId}: {Code}: {Reason}")]
    public static partial void ProducerError(ILogger logger, string transactionalId, string code, string reason);

    [LoggerMessage(EventId = 2065, EventName = "TransactionalProducerLog", Level = LogLevel.Debug,
        Message = "Transactional producer {TransactionalId} librdkafka {Level} {Facility}: {Text}")]
    public static partial void ProducerLog(ILogger logger, string transactionalId, string level, string facility, string text);

    [LoggerMessage(EventId = 2066, EventName = "PartitionRestarted", Level = LogLevel.Information,
        Message = "{Topic}[{Partition}] starts over at offset {Offset} after its transaction was aborted")]
    public static partial void Restarted(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(EventId = 2067, EventName = "TransactionalOutputDropped", Level = LogLevel.Debug,
        Message = "{Topic}[{Partition}]@{Offset}: the partition went away while its handler ran; what it published is dropped with it and the record is redelivered")]
    public static partial void OutputDropped(ILogger logger, string topic, int partition, long offset);
}
