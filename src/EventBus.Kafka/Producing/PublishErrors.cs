using Confluent.Kafka;

namespace EventBus.Kafka.Producing;

/// <summary>How a failed publish is reported: which Kafka errors are transient, and what each failure says.</summary>
internal static class PublishErrors
{
    /// <summary>Whether publishing again can succeed after this error.</summary>
    /// <param name="code">The error code.</param>
    /// <returns>Whether it is transient.</returns>
    public static bool IsRetriable(ErrorCode code) => code is
        ErrorCode.Local_MsgTimedOut or ErrorCode.Local_TimedOut or ErrorCode.Local_QueueFull or ErrorCode.Local_Transport
        or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Retry or ErrorCode.Local_WaitCoord or ErrorCode.Local_Outdated
        or ErrorCode.RequestTimedOut or ErrorCode.NetworkException or ErrorCode.LeaderNotAvailable or ErrorCode.NotLeaderForPartition
        or ErrorCode.BrokerNotAvailable or ErrorCode.ReplicaNotAvailable or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
        or ErrorCode.NotCoordinatorForGroup or ErrorCode.UnknownTopicOrPart or ErrorCode.KafkaStorageError or ErrorCode.OutOfOrderSequenceNumber
        or ErrorCode.ConcurrentTransactions or ErrorCode.ThrottlingQuotaExceeded;

    /// <summary>The exception for a message whose delivery failed.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitionKey">The key.</param>
    /// <param name="messageId">The message id.</param>
    /// <param name="error">The error.</param>
    /// <param name="fatal">Whether it is the fatal error of its producer (reported with the fatal code, or purged by it).</param>
    /// <param name="failedForGood">Whether the producer failed again after its rebuild.</param>
    /// <returns>The exception.</returns>
    public static EventPublishException Delivery(string topic, string? partitionKey, string messageId, Error error, bool fatal, bool failedForGood)
    {
        fatal |= error.IsFatal;
        var retriable = fatal ? !failedForGood : IsRetriable(error.Code);
        var reason = !fatal
            ? error.Reason
            : failedForGood
                ? $"the producer hit a fatal error ({error.Reason}); it failed again after a rebuild and stays down: restart the service"
                : $"the producer hit a fatal error ({error.Reason}) and was rebuilt; publishing again can succeed. Messages published after " +
                  "the rebuild, for the same key too, may already be ahead of this one";
        return new EventPublishException(topic, partitionKey, messageId, fatal ? ErrorCode.Local_Fatal : error.Code, reason, retriable);
    }

    /// <summary>The exception for a message cancelled while it waited for room in the local queue (never sent).</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitionKey">The key.</param>
    /// <param name="messageId">The message id.</param>
    /// <returns>The exception.</returns>
    public static EventPublishException CancelledBeforeQueued(string topic, string? partitionKey, string messageId) =>
        new(topic, partitionKey, messageId, ErrorCode.Local_Fail, "cancelled before it was queued", isRetriable: true);

    /// <summary>The exception for a message cancelled while it waited for its acknowledgement.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitionKey">The key.</param>
    /// <param name="messageId">The message id.</param>
    /// <returns>The exception.</returns>
    public static EventPublishException CancelledWhileWaiting(string topic, string? partitionKey, string messageId) =>
        new(topic, partitionKey, messageId, ErrorCode.Local_Fail, "cancelled while waiting for the broker's acknowledgement; it may still be delivered", isRetriable: true);

    /// <summary>The exception for a batch item whose record could not be built.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitionKey">The key.</param>
    /// <param name="exception">What the serializer or the header check threw.</param>
    /// <returns>The exception.</returns>
    public static EventPublishException NotBuilt(string topic, string? partitionKey, Exception exception) =>
        new(topic, partitionKey, string.Empty, exception is ArgumentException ? ErrorCode.Local_InvalidArg : ErrorCode.Local_ValueSerialization,
            $"the message could not be built ({exception.GetType().Name}: {exception.Message})", isRetriable: false, exception);
}
