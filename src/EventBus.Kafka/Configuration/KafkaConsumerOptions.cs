using Confluent.Kafka;

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

    /// <summary>Gets extra librdkafka consumer properties, applied last (the escape hatch).</summary>
    public IDictionary<string, string> AdditionalProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Returns the settings with secrets redacted.</summary>
    /// <returns>A one-line description safe for logs.</returns>
    public override string ToString() =>
        $"GroupId={GroupId}, AutoOffsetReset={AutoOffsetReset}, EnableAutoCommit={EnableAutoCommit}, MaxPollRecords={MaxPollRecords}, " +
        $"MaxPollIntervalMs={MaxPollIntervalMs}, SessionTimeoutMs={SessionTimeoutMs}, HeartbeatIntervalMs={HeartbeatIntervalMs}, " +
        $"FetchMinBytes={FetchMinBytes}, FetchWaitMaxMs={FetchWaitMaxMs}, AdditionalProperties={Redaction.Describe(AdditionalProperties)}";
}
