using System.Text.Json;
using Confluent.Kafka;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// How a consumer processes records: concurrency, ordering, commits, retries and dead-lettering. The connection,
/// group and fetch settings come from <see cref="Configuration.EventBusOptions"/> (the <c>KAFKA_CONSUMER_*</c> variables).
/// </summary>
public sealed class EventConsumerOptions
{
    /// <summary>Gets or sets how many records are handled at once.</summary>
    /// <value>The default value is 1.</value>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>Gets or sets the order guarantee when <see cref="MaxConcurrency"/> is above 1.</summary>
    /// <value>The default value is <see cref="OrderingMode.Partition"/>.</value>
    public OrderingMode Ordering { get; set; } = OrderingMode.Partition;

    /// <summary>Gets or sets when completed offsets are committed.</summary>
    /// <value>The default value is <see cref="CommitMode.Batched"/>.</value>
    public CommitMode CommitMode { get; set; } = CommitMode.Batched;

    /// <summary>Gets or sets the longest time a completed offset waits to be committed (batched mode).</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how many completed records trigger a commit before the interval (batched mode).</summary>
    /// <value>The default value is 1,000.</value>
    public int CommitBatchSize { get; set; } = 1_000;

    /// <summary>Gets or sets how many times a failing record is retried in place before it is dead-lettered.</summary>
    /// <value>The default value is 3 (4 attempts in all).</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the delay before the first retry; it doubles on each retry, with ±20 % jitter.</summary>
    /// <value>The default value is 200 milliseconds.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the longest delay between retries.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets exception types that are never retried: the record goes straight to the dead-letter topic. Derived types
    /// match too. Records that cannot be deserialized are never retried, whatever this holds.
    /// </summary>
    public ISet<Type> NonRetriableExceptions { get; } = new HashSet<Type>
    {
        typeof(JsonException), typeof(FormatException), typeof(NotSupportedException), typeof(ArgumentException),
    };

    /// <summary>Gets or sets the topic key of the dead-letter topic.</summary>
    /// <value>The default value is <c>DLQ</c> (<c>KAFKA_TOPIC_DLQ</c>, by default <c>{SERVICE_NAME}-dlq</c>).</value>
    public string DeadLetterTopicKey { get; set; } = Configuration.KafkaTopicOptions.DlqKey;

    /// <summary>Gets or sets the topic key of the errors topic; an error event is published there when it is configured.</summary>
    /// <value>The default value is <c>ERRORS</c> (<c>KAFKA_TOPIC_ERRORS</c>).</value>
    public string ErrorsTopicKey { get; set; } = Configuration.KafkaTopicOptions.ErrorsKey;

    /// <summary>Gets or sets how long a revocation waits for in-flight work of the revoked partitions before it commits and lets them go.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RevokeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long stopping waits for in-flight work before cancelling it.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long leaving the group (Close) may take when stopping; past it the consumer is abandoned to finish on its own.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets a callback for newly assigned partitions (on the poll thread: keep it short).</summary>
    public Action<IReadOnlyList<TopicPartition>>? PartitionsAssigned { get; set; }

    /// <summary>Gets or sets a callback for revoked partitions, after their in-flight work was waited for and committed.</summary>
    public Action<IReadOnlyList<TopicPartition>>? PartitionsRevoked { get; set; }

    /// <summary>Gets or sets a callback for lost partitions (dropped without committing).</summary>
    public Action<IReadOnlyList<TopicPartition>>? PartitionsLost { get; set; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrency, 1, nameof(MaxConcurrency));
        ArgumentOutOfRangeException.ThrowIfLessThan(CommitBatchSize, 1, nameof(CommitBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetries, 0, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CommitInterval, TimeSpan.Zero, nameof(CommitInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryBaseDelay, TimeSpan.Zero, nameof(RetryBaseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMaxDelay, RetryBaseDelay, nameof(RetryMaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(RevokeTimeout, TimeSpan.Zero, nameof(RevokeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownTimeout, TimeSpan.Zero, nameof(ShutdownTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(CloseTimeout, TimeSpan.Zero, nameof(CloseTimeout));
        ArgumentException.ThrowIfNullOrWhiteSpace(DeadLetterTopicKey, nameof(DeadLetterTopicKey));
    }
}
