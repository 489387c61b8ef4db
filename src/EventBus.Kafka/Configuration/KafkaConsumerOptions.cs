using Confluent.Kafka;
using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Configuration;

/// <summary>Consumer settings (<c>KAFKA_CONSUMER_*</c>).</summary>
public sealed class KafkaConsumerOptions
{
    /// <summary>Gets or sets the consumer group, group.id (<c>KAFKA_CONSUMER_GROUP</c>). Required for consumers.</summary>
    public string? GroupId { get; set; }

    /// <summary>Gets or sets where a group without a committed offset starts (<c>KAFKA_CONSUMER_AUTO_OFFSET_RESET</c>).</summary>
    /// <value>The default value is <see cref="AutoOffsetReset.Earliest"/>.</value>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Earliest;

    /// <summary>Gets or sets enable.auto.commit (<c>KAFKA_CONSUMER_ENABLE_AUTO_COMMIT</c>). Only <see langword="false"/> is valid: commits are the library's job.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool EnableAutoCommit { get; set; }

    /// <summary>Gets or sets the in-flight bound and batch size (<c>KAFKA_CONSUMER_MAX_POLL_RECORDS</c>).</summary>
    /// <value>The default value is 500.</value>
    public int MaxPollRecords { get; set; } = 500;

    /// <summary>Gets or sets max.poll.interval.ms (<c>KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS</c>).</summary>
    /// <value>The default value is 1,800,000 (30 minutes).</value>
    public int MaxPollIntervalMs { get; set; } = 1_800_000;

    /// <summary>Gets or sets session.timeout.ms (<c>KAFKA_CONSUMER_SESSION_TIMEOUT_MS</c>).</summary>
    /// <value>The default value is 45,000.</value>
    public int SessionTimeoutMs { get; set; } = 45_000;

    /// <summary>Gets or sets heartbeat.interval.ms (<c>KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS</c>); must be below <see cref="SessionTimeoutMs"/>.</summary>
    /// <value>The default value is 15,000.</value>
    public int HeartbeatIntervalMs { get; set; } = 15_000;

    /// <summary>Gets or sets fetch.min.bytes (<c>KAFKA_CONSUMER_FETCH_MIN_BYTES</c>).</summary>
    /// <value>The default value is 1.</value>
    public int FetchMinBytes { get; set; } = 1;

    /// <summary>Gets or sets fetch.wait.max.ms (<c>KAFKA_CONSUMER_FETCH_WAIT_MAX_MS</c>).</summary>
    /// <value>The default value is 500.</value>
    public int FetchWaitMaxMs { get; set; } = 500;

    /// <summary>
    /// Gets or sets how many records a consumer handles at once (<c>KAFKA_CONSUMER_MAX_CONCURRENCY</c>). When set, it wins
    /// over <see cref="EventConsumerOptions.MaxConcurrency"/> as configured in code, so operations can tune a service
    /// without a rebuild.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the code's value applies (1 unless changed).</value>
    public int? MaxConcurrency { get; set; }

    /// <summary>
    /// Gets or sets a consumer's order guarantee (<c>KAFKA_CONSUMER_ORDERING</c>: <c>partition</c> or <c>key</c>). When
    /// set, it wins over <see cref="EventConsumerOptions.Ordering"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the code's value applies (<see cref="OrderingMode.Partition"/> unless changed).</value>
    public OrderingMode? Ordering { get; set; }

    /// <summary>
    /// Gets or sets how many times a failing record is retried in place before it is dead-lettered
    /// (<c>KAFKA_CONSUMER_MAX_RETRIES</c>). When set, it wins over <see cref="EventConsumerOptions.MaxRetries"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the code's value applies (3 unless changed).</value>
    public int? MaxRetries { get; set; }

    /// <summary>
    /// Gets or sets the delay before the first retry, in milliseconds (<c>KAFKA_CONSUMER_RETRY_BACKOFF_MS</c>). When set,
    /// it wins over <see cref="EventConsumerOptions.RetryBaseDelay"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the code's value applies (200 ms unless changed).</value>
    public int? RetryBackoffMs { get; set; }

    /// <summary>
    /// Gets or sets the longest delay between retries, in milliseconds (<c>KAFKA_CONSUMER_RETRY_MAX_BACKOFF_MS</c>). When
    /// set, it wins over <see cref="EventConsumerOptions.RetryMaxDelay"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the code's value applies (30,000 ms unless changed).</value>
    public int? RetryMaxBackoffMs { get; set; }

    /// <summary>
    /// Gets or sets whether the consumer runs exactly-once read-process-write (<c>KAFKA_CONSUMER_EXACTLY_ONCE</c>). When
    /// set, it wins over <see cref="EventConsumerOptions.ExactlyOnce"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the code's value applies (<see langword="false"/> unless changed).</value>
    public bool? ExactlyOnce { get; set; }

    /// <summary>
    /// Gets or sets the longest commit cycle of exactly-once mode, in milliseconds (<c>KAFKA_CONSUMER_TRANSACTION_INTERVAL_MS</c>).
    /// When set, it wins over <see cref="EventConsumerOptions.TransactionInterval"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the code's value applies (100 ms unless changed).</value>
    public int? TransactionIntervalMs { get; set; }

    /// <summary>
    /// Gets or sets how many completed records end a commit cycle of exactly-once mode early
    /// (<c>KAFKA_CONSUMER_TRANSACTION_MAX_RECORDS</c>). When set, it wins over <see cref="EventConsumerOptions.TransactionMaxRecords"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the code's value applies (1,000 unless changed).</value>
    public int? TransactionMaxRecords { get; set; }

    /// <summary>
    /// Gets or sets how often librdkafka reports its statistics, statistics.interval.ms
    /// (<c>KAFKA_CONSUMER_STATISTICS_INTERVAL_MS</c>): the source of the <c>eventbus.consumer.lag</c> gauge. The document is
    /// parsed only while a listener (an OpenTelemetry SDK's <c>AddMeter</c>) takes that gauge; 0 turns statistics off.
    /// </summary>
    /// <value>The default value is 5,000 (5 seconds).</value>
    public int StatisticsIntervalMs { get; set; } = 5_000;

    /// <summary>Gets extra librdkafka consumer properties, applied last (the escape hatch).</summary>
    public IDictionary<string, string> AdditionalProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Returns the settings with secrets redacted.</summary>
    /// <returns>A one-line description safe for logs.</returns>
    public override string ToString() =>
        $"GroupId={GroupId}, AutoOffsetReset={AutoOffsetReset}, EnableAutoCommit={EnableAutoCommit}, MaxPollRecords={MaxPollRecords}, " +
        $"MaxPollIntervalMs={MaxPollIntervalMs}, SessionTimeoutMs={SessionTimeoutMs}, HeartbeatIntervalMs={HeartbeatIntervalMs}, " +
        $"FetchMinBytes={FetchMinBytes}, FetchWaitMaxMs={FetchWaitMaxMs}, MaxConcurrency={MaxConcurrency}, Ordering={Ordering}, " +
        $"MaxRetries={MaxRetries}, RetryBackoffMs={RetryBackoffMs}, RetryMaxBackoffMs={RetryMaxBackoffMs}, StatisticsIntervalMs={StatisticsIntervalMs}, " +
        $"ExactlyOnce={ExactlyOnce}, TransactionIntervalMs={TransactionIntervalMs}, TransactionMaxRecords={TransactionMaxRecords}, " +
        $"AdditionalProperties={Redaction.Describe(AdditionalProperties)}";
}
