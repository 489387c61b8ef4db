using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Producing;

/// <summary>How a failed publish is reported: which Kafka errors are transient, and what each failure says.</summary>
internal static class PublishErrors
{
    /// <summary>Whether publishing again can succeed after this error.</summary>
    /// <remarks>
    /// <see cref="ErrorCode.Local_UnknownPartition"/> is transient here: the library never names a partition, so the
    /// partition librdkafka chose existed; it fails the messages queued for it when a broker that is starting up answers
    /// a metadata request with the topic and no partitions ("partition count changed from 6 to 0", seen on Kafka 2.4 when
    /// every broker restarts). Publishing again once the brokers are up succeeds. <see cref="ErrorCode.Local_UnknownTopic"/>
    /// follows from the same answer for messages published while the topic has no partitions; like the broker's
    /// <see cref="ErrorCode.UnknownTopicOrPart"/> (a topic being created), it is transient.
    /// </remarks>
    /// <param name="code">The error code.</param>
    /// <returns>Whether it is transient.</returns>
    public static bool IsRetriable(ErrorCode code) => code is
        ErrorCode.Local_MsgTimedOut or ErrorCode.Local_TimedOut or ErrorCode.Local_QueueFull or ErrorCode.Local_Transport
        or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Retry or ErrorCode.Local_WaitCoord or ErrorCode.Local_Outdated
        or ErrorCode.RequestTimedOut or ErrorCode.NetworkException or ErrorCode.LeaderNotAvailable or ErrorCode.NotLeaderForPartition
        or ErrorCode.BrokerNotAvailable or ErrorCode.ReplicaNotAvailable or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
        or ErrorCode.NotCoordinatorForGroup or ErrorCode.UnknownTopicOrPart or ErrorCode.KafkaStorageError or ErrorCode.OutOfOrderSequenceNumber
        or ErrorCode.ConcurrentTransactions or ErrorCode.ThrottlingQuotaExceeded or ErrorCode.Local_UnknownPartition or ErrorCode.Local_UnknownTopic;

    /// <summary>The exception for a message whose delivery failed.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitionKey">The key.</param>
    /// <param name="messageId">The message id.</param>
    /// <param name="error">The error.</param>
    /// <param name="fatal">Whether it is the fatal error of its producer (reported with the fatal code, or purged by it).</param>
    /// <param name="failedForGood">Whether the producer failed again after its rebuild.</param>
    /// <param name="diagnosis">The client failure behind it, if one is diagnosed (the error's own, or the one current when it failed).</param>
    /// <param name="closing">Whether the producer is being closed (disposed by its owner): a destroyed message is then final.</param>
    /// <returns>The exception.</returns>
    public static EventPublishException Delivery(string topic, string? partitionKey, string messageId, Error error, bool fatal, bool failedForGood, KafkaDiagnosis? diagnosis = null, bool closing = false)
    {
        fatal |= error.IsFatal;
        if (fatal)
        {
            var reason = failedForGood
                ? $"the producer hit a fatal error ({error.Reason}); it failed again after a rebuild and stays down: restart the service"
                : $"the producer hit a fatal error ({error.Reason}) and was rebuilt; publishing again can succeed. Messages published after " +
                  "the rebuild, for the same key too, may already be ahead of this one";
            return new EventPublishException(topic, partitionKey, messageId, ErrorCode.Local_Fatal, reason, !failedForGood);
        }

        if (error is DiagnosedError failedAtOnce)
        {
            // TLS or authentication fails: the message was refused at once, or discarded from the queue it could not leave.
            var d = failedAtOnce.Diagnosis;
            return new EventPublishException(topic, partitionKey, messageId, d.Code, "it was not sent, because " + Lower(d.Text), isRetriable: false, d);
        }

        if (diagnosis is { IsConfigurationError: true } && (diagnosis.Code == error.Code || IsTimeout(error.Code)))
        {
            // Not authorized (its own error), or timed out while TLS or authentication failed: the same again until fixed.
            var reason = diagnosis.Code == error.Code ? diagnosis.Text : $"{error.Reason}, because {Lower(diagnosis.Text)}";
            return new EventPublishException(topic, partitionKey, messageId, error.Code, reason, isRetriable: false, diagnosis);
        }

        if (diagnosis is { Kind: KafkaFailureKind.Unreachable } && IsTimeout(error.Code))
        {
            return new EventPublishException(topic, partitionKey, messageId, error.Code,
                $"{error.Reason} while the cluster was unreachable ({Lower(diagnosis.Text)}); it may come back", isRetriable: true, diagnosis);
        }

        if (error.Code is ErrorCode.Local_Destroy or ErrorCode.Local_DestroyBroker && !closing)
        {
            // librdkafka failed it with a broker handle it destroyed while the producer stays open (seen once in a
            // restart of every broker of a cluster): the producer works, and the message may or may not be stored.
            return new EventPublishException(topic, partitionKey, messageId, error.Code,
                $"{error.Reason}: librdkafka dropped the message with a broker connection it tore down while the producer stays open " +
                "(as when every broker of the cluster restarts); it may or may not be stored, so publishing again can succeed and can duplicate it",
                isRetriable: true, diagnosis);
        }

        if (error.Code == ErrorCode.MsgSizeTooLarge)
        {
            // Refused by the local client before sending (message.max.bytes) or by the broker (the topic's max.message.bytes).
            return new EventPublishException(topic, partitionKey, messageId, error.Code,
                $"{error.Reason}: the record (value, key and headers) is larger than the producer's message.max.bytes (1,000,000 bytes " +
                "unless set in KafkaProducerOptions.AdditionalProperties) or the topic's max.message.bytes; publish a smaller event " +
                "(for example a reference to a payload stored elsewhere), or raise both limits together", isRetriable: false, diagnosis);
        }

        return new EventPublishException(topic, partitionKey, messageId, error.Code, error.Reason, IsRetriable(error.Code), diagnosis);
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

    /// <summary>The exception for a synchronous publish not acknowledged within the flush timeout.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitionKey">The key.</param>
    /// <param name="messageId">The message id.</param>
    /// <param name="timeout">The wait, in words (the seconds and the variable).</param>
    /// <param name="queued">Whether the message was queued (it may still be delivered) or never left the full local queue's line.</param>
    /// <param name="diagnosis">The failure current meanwhile, if any.</param>
    /// <returns>The exception.</returns>
    public static EventPublishException NotAcknowledged(string topic, string? partitionKey, string messageId, string timeout, bool queued, KafkaDiagnosis? diagnosis)
    {
        var fate = queued ? "the message stays queued and may still be delivered" : "the local queue stayed full, so the message was not queued";
        var cause = diagnosis is null ? string.Empty : "; meanwhile " + Lower(diagnosis.Text);
        var retriable = diagnosis is not { IsConfigurationError: true };
        return new EventPublishException(topic, partitionKey, messageId, ErrorCode.Local_TimedOut, $"not acknowledged within the flush timeout ({timeout}){cause}; {fate}", retriable, diagnosis);
    }

    private static bool IsTimeout(ErrorCode code) => code is ErrorCode.Local_MsgTimedOut or ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut;

    private static string Lower(string text) => text.Length > 0 && char.IsUpper(text[0]) && !text.StartsWith("Kafka ", StringComparison.Ordinal) && (text.Length == 1 || !char.IsUpper(text[1])) ? char.ToLowerInvariant(text[0]) + text[1..] : text;
}
