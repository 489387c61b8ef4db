using System.Text.Json;
using Confluent.Kafka;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// How a consumer processes records: concurrency, ordering, commits, retries and dead-lettering. The connection,
/// group and fetch settings come from <see cref="Configuration.EventBusOptions"/> (the <c>KAFKA_CONSUMER_*</c> variables).
/// </summary>
/// <remarks>
/// Five of these settings can also be set by variables, so operations can tune a service without a rebuild:
/// <see cref="MaxConcurrency"/> (<c>KAFKA_CONSUMER_MAX_CONCURRENCY</c>), <see cref="Ordering"/>
/// (<c>KAFKA_CONSUMER_ORDERING</c>), <see cref="MaxRetries"/> (<c>KAFKA_CONSUMER_MAX_RETRIES</c>),
/// <see cref="RetryBaseDelay"/> (<c>KAFKA_CONSUMER_RETRY_BACKOFF_MS</c>) and <see cref="RetryMaxDelay"/>
/// (<c>KAFKA_CONSUMER_RETRY_MAX_BACKOFF_MS</c>). A variable that is set (bound into
/// <see cref="Configuration.KafkaConsumerOptions"/>) wins over the value given here through
/// <see cref="EventConsumerBuilder.Configure"/>; one that is not set leaves the value here alone.
/// <see cref="EventConsumerBuilder.Build"/> applies them and logs each one that changed a value (event 2041).
/// </remarks>
public sealed class EventConsumerOptions
{
    /// <summary>Gets or sets how many records are handled at once; <c>KAFKA_CONSUMER_MAX_CONCURRENCY</c>, when set, wins.</summary>
    /// <value>The default value is 1.</value>
    /// <remarks>
    /// With more partitions (or key groups, <see cref="OrderingMode.Key"/>) than slots, they take turns: each keeps a
    /// slot for at most 1 ms of queued records before the next waiting one gets it, so a handler slower than that
    /// takes turns record by record.
    /// </remarks>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>Gets or sets the order guarantee when <see cref="MaxConcurrency"/> is above 1; <c>KAFKA_CONSUMER_ORDERING</c>, when set, wins.</summary>
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

    /// <summary>Gets or sets how many times a failing record is retried in place before it is dead-lettered; <c>KAFKA_CONSUMER_MAX_RETRIES</c>, when set, wins.</summary>
    /// <value>The default value is 3 (4 attempts in all).</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the delay before the first retry; it doubles on each retry, with ±20 % jitter; <c>KAFKA_CONSUMER_RETRY_BACKOFF_MS</c>, when set, wins.</summary>
    /// <value>The default value is 200 milliseconds.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the longest delay between retries; <c>KAFKA_CONSUMER_RETRY_MAX_BACKOFF_MS</c>, when set, wins.</summary>
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

    /// <summary>
    /// Gets or sets whether the consumer runs exactly-once read-process-write; <c>KAFKA_CONSUMER_EXACTLY_ONCE</c>, when set, wins.
    /// </summary>
    /// <value>The default value is <see langword="false"/> (at-least-once).</value>
    /// <remarks>
    /// The consumer then owns transactional producers: what a handler publishes through
    /// <see cref="EventContext{T}.Producer"/>, its dead-letter and error records, and the offsets of the records completed
    /// commit in one Kafka transaction per commit cycle (<see cref="TransactionInterval"/>, <see cref="TransactionMaxRecords"/>);
    /// read_committed readers see none of it before. <see cref="CommitMode"/>, <see cref="CommitInterval"/> and
    /// <see cref="CommitBatchSize"/> do not apply. Needs the idempotent producer (the default). Side effects outside Kafka
    /// are not covered: make them idempotent with the record's message id.
    /// </remarks>
    public bool ExactlyOnce { get; set; }

    /// <summary>Gets or sets the longest commit cycle of exactly-once mode: completed work is committed at least this often; <c>KAFKA_CONSUMER_TRANSACTION_INTERVAL_MS</c>, when set, wins.</summary>
    /// <value>The default value is 100 milliseconds (Kafka Streams' commit interval under exactly-once).</value>
    public TimeSpan TransactionInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets how many completed records end a commit cycle of exactly-once mode before <see cref="TransactionInterval"/>; <c>KAFKA_CONSUMER_TRANSACTION_MAX_RECORDS</c>, when set, wins.</summary>
    /// <value>The default value is 1,000.</value>
    public int TransactionMaxRecords { get; set; } = 1_000;

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

    /// <summary>
    /// Collects every problem of these options (the builder lists them with the configuration's problems).
    /// </summary>
    /// <param name="nameOf">Names where a property's value came from: its variable when one set it, else the property.</param>
    /// <param name="add">Receives the name and the problem.</param>
    internal void CollectProblems(Func<string, string> nameOf, Action<string, string> add)
    {
        static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " ms";

        void AtLeast(string property, long value, long minimum, string what)
        {
            if (value < minimum)
            {
                add(nameOf(property), $"is {value}; it must be {minimum} or more ({what}).");
            }
        }

        void NotNegative(string property, TimeSpan value)
        {
            if (value < TimeSpan.Zero)
            {
                add(nameOf(property), $"is {Ms(value)}; it must be 0 or more.");
            }
        }

        AtLeast(nameof(MaxConcurrency), MaxConcurrency, 1, "records handled at once");
        AtLeast(nameof(CommitBatchSize), CommitBatchSize, 1, "completed records per commit");
        AtLeast(nameof(MaxRetries), MaxRetries, 0, "retries before the dead-letter topic");
        if (!Enum.IsDefined(Ordering))
        {
            add(nameOf(nameof(Ordering)), "must be partition or key.");
        }

        if (!Enum.IsDefined(CommitMode))
        {
            add(nameOf(nameof(CommitMode)), "must be Batched or PerMessage.");
        }

        if (CommitInterval <= TimeSpan.Zero)
        {
            add(nameOf(nameof(CommitInterval)), $"is {Ms(CommitInterval)}; it must be more than 0.");
        }

        NotNegative(nameof(RetryBaseDelay), RetryBaseDelay);
        if (RetryBaseDelay >= TimeSpan.Zero && RetryMaxDelay < RetryBaseDelay)
        {
            add(nameOf(nameof(RetryMaxDelay)), $"is {Ms(RetryMaxDelay)}, below the first retry's delay ({Ms(RetryBaseDelay)}, " +
                $"{nameOf(nameof(RetryBaseDelay))}); the longest delay between retries must be at least the first.");
        }

        AtLeast(nameof(TransactionMaxRecords), TransactionMaxRecords, 1, "completed records per transaction");
        if (TransactionInterval <= TimeSpan.Zero)
        {
            add(nameOf(nameof(TransactionInterval)), $"is {Ms(TransactionInterval)}; it must be more than 0.");
        }

        NotNegative(nameof(RevokeTimeout), RevokeTimeout);
        NotNegative(nameof(ShutdownTimeout), ShutdownTimeout);
        NotNegative(nameof(CloseTimeout), CloseTimeout);
        if (string.IsNullOrWhiteSpace(DeadLetterTopicKey))
        {
            add(nameOf(nameof(DeadLetterTopicKey)), $"is empty; every consumer dead-letters: leave it at {Configuration.KafkaTopicOptions.DlqKey} or name a configured topic key.");
        }

        if (ErrorsTopicKey is null)
        {
            add(nameOf(nameof(ErrorsTopicKey)), $"is null; leave it at {Configuration.KafkaTopicOptions.ErrorsKey} (error events go out only when that key is configured).");
        }
    }

/// <summary>The commit policy of exactly-once mode: a batched commit every <see cref="TransactionInterval"/> or <see cref="TransactionMaxRecords"/> records.</summary>
    /// <returns>Options whose commit settings are the transaction cycle's (the offset committer reads only those).</returns>
    internal EventConsumerOptions ForTransactions() => new()
    {
        CommitMode = CommitMode.Batched,
        CommitInterval = TransactionInterval,
        CommitBatchSize = TransactionMaxRecords,
    };

        internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrency, 1, nameof(MaxConcurrency));
        ArgumentOutOfRangeException.ThrowIfLessThan(CommitBatchSize, 1, nameof(CommitBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetries, 0, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CommitInterval, TimeSpan.Zero, nameof(CommitInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(TransactionMaxRecords, 1, nameof(TransactionMaxRecords));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TransactionInterval, TimeSpan.Zero, nameof(TransactionInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryBaseDelay, TimeSpan.Zero, nameof(RetryBaseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMaxDelay, RetryBaseDelay, nameof(RetryMaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(RevokeTimeout, TimeSpan.Zero, nameof(RevokeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownTimeout, TimeSpan.Zero, nameof(ShutdownTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(CloseTimeout, TimeSpan.Zero, nameof(CloseTimeout));
        ArgumentException.ThrowIfNullOrWhiteSpace(DeadLetterTopicKey, nameof(DeadLetterTopicKey));
    }
}
