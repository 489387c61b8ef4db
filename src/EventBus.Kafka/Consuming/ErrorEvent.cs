namespace EventBus.Kafka.Consuming;

/// <summary>The event published to the errors topic (<c>KAFKA_TOPIC_ERRORS</c>) when a record is dead-lettered.</summary>
/// <param name="Service">The consuming service (<c>SERVICE_NAME</c>).</param>
/// <param name="ConsumerGroup">The consumer group.</param>
/// <param name="Topic">The record's topic.</param>
/// <param name="Partition">The record's partition.</param>
/// <param name="Offset">The record's offset.</param>
/// <param name="Key">The record key as text, if any.</param>
/// <param name="ExceptionType">The full name of the exception type.</param>
/// <param name="ExceptionMessage">The exception message.</param>
/// <param name="Attempts">How many times the handler ran.</param>
/// <param name="DeadLetterTopic">Where the record went.</param>
/// <param name="Time">When it was dead-lettered (UTC).</param>
public sealed record ErrorEvent(
    string Service,
    string ConsumerGroup,
    string Topic,
    int Partition,
    long Offset,
    string? Key,
    string ExceptionType,
    string ExceptionMessage,
    int Attempts,
    string DeadLetterTopic,
    DateTimeOffset Time);
