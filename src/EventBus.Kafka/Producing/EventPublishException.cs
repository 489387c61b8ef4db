using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Producing;

/// <summary>A message was not published. Says where it was going, why, and whether trying again can help.</summary>
public sealed class EventPublishException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="EventPublishException"/> class.</summary>
    public EventPublishException()
        : this("The message was not published.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EventPublishException"/> class.</summary>
    /// <param name="message">The message.</param>
    public EventPublishException(string message)
        : base(message)
    {
        Topic = string.Empty;
        MessageId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="EventPublishException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EventPublishException(string message, Exception innerException)
        : base(message, innerException)
    {
        Topic = string.Empty;
        MessageId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="EventPublishException"/> class.</summary>
    /// <param name="topic">The topic the message was for.</param>
    /// <param name="partitionKey">The record key.</param>
    /// <param name="messageId">The message-id header.</param>
    /// <param name="errorCode">The Kafka error.</param>
    /// <param name="reason">What went wrong, in words.</param>
    /// <param name="isRetriable">Whether publishing the message again can succeed.</param>
    /// <param name="innerException">The cause, if any.</param>
    public EventPublishException(string topic, string? partitionKey, string messageId, ErrorCode errorCode, string reason, bool isRetriable, Exception? innerException = null)
        : this(topic, partitionKey, messageId, errorCode, reason, isRetriable, null, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EventPublishException"/> class with the diagnosis of the client failure behind it.</summary>
    /// <param name="topic">The topic the message was for.</param>
    /// <param name="partitionKey">The record key.</param>
    /// <param name="messageId">The message-id header.</param>
    /// <param name="errorCode">The Kafka error.</param>
    /// <param name="reason">What went wrong, in words.</param>
    /// <param name="isRetriable">Whether publishing the message again can succeed.</param>
    /// <param name="diagnosis">The diagnosed client failure (TLS, authentication, authorization, unreachable), if any.</param>
    /// <param name="innerException">The cause, if any.</param>
    public EventPublishException(string topic, string? partitionKey, string messageId, ErrorCode errorCode, string reason, bool isRetriable, KafkaDiagnosis? diagnosis, Exception? innerException = null)
        : base(FormatMessage(topic, partitionKey, errorCode, reason, isRetriable), innerException)
    {
        Topic = topic;
        PartitionKey = partitionKey;
        MessageId = messageId;
        ErrorCode = errorCode;
        IsRetriable = isRetriable;
        Diagnosis = diagnosis;
    }

    /// <summary>Gets the topic the message was for.</summary>
    public string Topic { get; }

    /// <summary>Gets the record key, if any.</summary>
    public string? PartitionKey { get; }

    /// <summary>Gets the message's <c>message-id</c> header.</summary>
    public string MessageId { get; }

    /// <summary>Gets the Kafka error code.</summary>
    public ErrorCode ErrorCode { get; }

    /// <summary>
    /// Gets a value indicating whether publishing again can succeed (a timeout, a broker or leader away, a full
    /// queue, an unreachable cluster). A non-retriable error (too large, not authorized, TLS or authentication
    /// failing, invalid) fails again the same way.
    /// </summary>
    public bool IsRetriable { get; }

    /// <summary>Gets a value indicating whether the error is a fatal producer error.</summary>
    public bool IsFatal => ErrorCode == ErrorCode.Local_Fatal;

    /// <summary>
    /// Gets the diagnosis of the client failure behind the error (its class, cause, the variables to check), when
    /// there is one: the TLS or authentication failure a publish failed at once for, the ACL that refused it, or the
    /// unreachable cluster it timed out on.
    /// </summary>
    public KafkaDiagnosis? Diagnosis { get; }

    private static string FormatMessage(string topic, string? partitionKey, ErrorCode code, string reason, bool retriable) =>
        $"Publishing to topic '{topic}'{(partitionKey is null ? "" : $" with key '{partitionKey}'")} failed: {reason} ({code}). " +
        (retriable ? "The error is transient; publishing again can succeed." : "Publishing again will fail the same way until the cause is fixed.");
}
