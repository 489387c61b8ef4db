using System.Globalization;

namespace EventBus.Kafka.Diagnostics;

/// <summary>The attribute names and constant values of the spans and metrics (OpenTelemetry messaging conventions).</summary>
internal static class TelemetryTags
{
    public const string MessagingSystem = "messaging.system";
    public const string OperationType = "messaging.operation.type";
    public const string OperationName = "messaging.operation.name";
    public const string DestinationName = "messaging.destination.name";
    public const string PartitionId = "messaging.destination.partition.id";
    public const string Offset = "messaging.kafka.offset";
    public const string MessageKey = "messaging.kafka.message.key";
    public const string ConsumerGroup = "messaging.consumer.group.name";
    public const string MessageId = "messaging.message.id";
    public const string BodySize = "messaging.message.body.size";
    public const string BatchCount = "messaging.batch.message_count";
    public const string ErrorType = "error.type";

    /// <summary>EventBus's own: the handler attempt that failed (1 for the first).</summary>
    public const string Attempt = "eventbus.attempt";

    /// <summary>EventBus's own: the delay before the next attempt, in milliseconds.</summary>
    public const string RetryDelayMs = "eventbus.retry.delay_ms";

    /// <summary>EventBus's own: the dead-letter topic a record went to.</summary>
    public const string DeadLetterTopic = "eventbus.dead_letter.topic";

    /// <summary>EventBus's own: what a rebalance did (<c>assigned</c>, <c>revoked</c> or <c>lost</c>).</summary>
    public const string RebalanceKind = "eventbus.rebalance.kind";

    /// <summary>The <c>error.type</c> of a send whose wait was cancelled: the exception the caller's await throws.</summary>
    public const string Cancelled = "System.Threading.Tasks.TaskCanceledException";

    public const string Kafka = "kafka";
    public const string Send = "send";
    public const string Process = "process";
    public const string RetryEvent = "eventbus.retry";
    public const string DeadLetterEvent = "eventbus.dead_letter";

    private static readonly string[] SmallPartitionIds = CreatePartitionIds(256);

    /// <summary>A partition id as text, without allocating for the first 256.</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>Its id.</returns>
    public static string Partition(int partition) =>
        (uint)partition < (uint)SmallPartitionIds.Length ? SmallPartitionIds[partition] : partition.ToString(CultureInfo.InvariantCulture);

    /// <summary>The low-cardinality <c>error.type</c> of an exception: the Kafka error code when there is one, else its type.</summary>
    /// <param name="error">The exception.</param>
    /// <returns>The error type.</returns>
    public static string ErrorTypeOf(Exception error) => error switch
    {
        Producing.EventPublishException publish => publish.ErrorCode.ToString(),
        Confluent.Kafka.KafkaException kafka => kafka.Error.Code.ToString(),
        _ => error.GetType().FullName ?? error.GetType().Name,
    };

    private static string[] CreatePartitionIds(int count)
    {
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = i.ToString(CultureInfo.InvariantCulture);
        }

        return ids;
    }
}
