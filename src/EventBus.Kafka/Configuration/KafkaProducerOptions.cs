using Confluent.Kafka;

namespace EventBus.Kafka.Configuration;

/// <summary>Producer settings (<c>KAFKA_PRODUCER_*</c>).</summary>
public sealed class KafkaProducerOptions
{
    /// <summary>Gets or sets the acknowledgements the producer waits for (<c>KAFKA_PRODUCER_ACKS</c>).</summary>
    /// <value>The default value is <see cref="Acks.All"/>; anything else conflicts with idempotence.</value>
    public Acks Acks { get; set; } = Acks.All;

    /// <summary>Gets or sets a value indicating whether the producer is idempotent (no duplicates, order kept on retry).</summary>
    /// <value>The default value is <see langword="true"/>. Not settable through environment variables.</value>
    public bool EnableIdempotence { get; set; } = true;

    /// <summary>Gets or sets the compression codec (<c>KAFKA_PRODUCER_COMPRESSION_TYPE</c>).</summary>
    /// <value>The default value is <see cref="CompressionType.Snappy"/>.</value>
    public CompressionType CompressionType { get; set; } = CompressionType.Snappy;

    /// <summary>Gets or sets linger.ms (<c>KAFKA_PRODUCER_LINGER_MS</c>).</summary>
    /// <value>The default value is 5.</value>
    public int LingerMs { get; set; } = 5;

    /// <summary>Gets or sets retry.backoff.ms (<c>KAFKA_PRODUCER_RETRY_BACKOFF_MS</c>).</summary>
    /// <value>The default value is 100.</value>
    public int RetryBackoffMs { get; set; } = 100;

    /// <summary>Gets or sets how long a synchronous publish waits for its acknowledgement (<c>KAFKA_PRODUCER_FLUSH_TIMEOUT</c>, seconds).</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long disposing the producer flushes (<c>KAFKA_PRODUCER_CLOSE_TIMEOUT</c>, seconds).</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets extra librdkafka producer properties, applied last (the escape hatch).</summary>
    public IDictionary<string, string> AdditionalProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Returns the settings with secrets redacted.</summary>
    /// <returns>A one-line description safe for logs.</returns>
    public override string ToString() =>
        $"Acks={Acks}, EnableIdempotence={EnableIdempotence}, CompressionType={CompressionType}, LingerMs={LingerMs}, " +
        $"RetryBackoffMs={RetryBackoffMs}, FlushTimeout={FlushTimeout}, CloseTimeout={CloseTimeout}, " +
        $"AdditionalProperties={Redaction.Describe(AdditionalProperties)}";
}
