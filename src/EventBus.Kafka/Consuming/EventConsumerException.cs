using Confluent.Kafka;

namespace EventBus.Kafka.Consuming;

/// <summary>The consumer stopped because of a fatal Kafka error (or a failure of its own poll loop).</summary>
public sealed class EventConsumerException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="EventConsumerException"/> class.</summary>
    public EventConsumerException()
        : this("The consumer stopped.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EventConsumerException"/> class.</summary>
    /// <param name="message">The message.</param>
    public EventConsumerException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EventConsumerException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EventConsumerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EventConsumerException"/> class for a Kafka error.</summary>
    /// <param name="error">The Kafka error.</param>
    public EventConsumerException(Error error)
        : base($"The consumer stopped on a fatal Kafka error: {error?.Reason} ({error?.Code}). Restart the consumer; if it recurs, check the group and broker logs.")
    {
        ArgumentNullException.ThrowIfNull(error);
        ErrorCode = error.Code;
    }

    /// <summary>Gets the Kafka error code, when a Kafka error stopped the consumer.</summary>
    public ErrorCode? ErrorCode { get; }
}
