using System.Text.Json;

namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>
/// The health of an EventBus service at one moment, for a <c>/health</c> endpoint or a closing log line: the verdict,
/// liveness and readiness with their findings, each client's state, the counts, the redacted configuration and the
/// topics. <see cref="ToJson"/> writes it with snake_case names; it never holds a secret.
/// </summary>
/// <param name="Status">The worst of <paramref name="Liveness"/> and <paramref name="Readiness"/>.</param>
/// <param name="CheckedAt">When the report was made.</param>
/// <param name="BootstrapServers">The bootstrap servers (<c>KAFKA_BOOTSTRAP_SERVERS</c>).</param>
/// <param name="ConsumerRunning">Whether the service has consumers and every one of them is running.</param>
/// <param name="Liveness">The liveness check: every poll loop makes progress, nothing failed.</param>
/// <param name="Readiness">The readiness check: the cluster answers, the consumers have their partitions, the topics exist.</param>
/// <param name="Producer">The producer, or <see langword="null"/> when none was created.</param>
/// <param name="Consumers">The consumers.</param>
/// <param name="Statistics">The counts.</param>
/// <param name="Configuration">The configuration, redacted.</param>
/// <param name="Topics">The topics required, existing and missing, and when they were last verified.</param>
public sealed record EventBusHealthReport(
    EventBusHealthStatus Status,
    DateTimeOffset CheckedAt,
    string? BootstrapServers,
    bool ConsumerRunning,
    EventBusHealthCheckResult Liveness,
    EventBusHealthCheckResult Readiness,
    ProducerHealthReport? Producer,
    IReadOnlyList<ConsumerHealthReport> Consumers,
    EventBusHealthStatistics Statistics,
    EventBusHealthConfiguration Configuration,
    TopicHealthReport Topics)
{
    /// <summary>Gets the media type of <see cref="ToJson"/>: <c>application/json</c>.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>Writes the report as JSON: snake_case names, enum values as snake_case strings, times in ISO 8601.</summary>
    /// <param name="indented">Whether to indent (for people); compact otherwise.</param>
    /// <returns>The JSON.</returns>
    /// <example><c>{"status":"healthy","checked_at":"…","bootstrap_servers":"broker:9092","consumer_running":true,…}</c></example>
    public string ToJson(bool indented = false) =>
        JsonSerializer.Serialize(this, indented ? HealthJsonContext.Indented.EventBusHealthReport : HealthJsonContext.Default.EventBusHealthReport);

    /// <summary>Writes the report as JSON (as <see cref="ToJson"/>) to a stream.</summary>
    /// <param name="stream">The stream (an HTTP response body).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the report is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    public Task WriteJsonAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return JsonSerializer.SerializeAsync(stream, this, HealthJsonContext.Default.EventBusHealthReport, cancellationToken);
    }
}
