namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// A snapshot of a Kafka client's health, what health checks read: the status, the failure that makes it so and since
/// when, and the last error seen (kept after the client is healthy again).
/// </summary>
/// <param name="Status">The status.</param>
/// <param name="Diagnosis">The current failure while <see cref="KafkaHealthStatus.Degraded"/> or <see cref="KafkaHealthStatus.Failed"/>; otherwise <see langword="null"/>.</param>
/// <param name="Since">When <paramref name="Status"/> began (for <see cref="KafkaHealthStatus.Healthy"/>: when the client was created or last recovered).</param>
/// <param name="LastError">The last client error diagnosed, if any (it stays after recovery).</param>
/// <param name="LastErrorAt">When <paramref name="LastError"/> was last seen.</param>
public sealed record KafkaClientHealth(KafkaHealthStatus Status, KafkaDiagnosis? Diagnosis, DateTimeOffset Since, KafkaDiagnosis? LastError, DateTimeOffset? LastErrorAt)
{
    /// <summary>Gets a value indicating whether the status is <see cref="KafkaHealthStatus.Healthy"/>.</summary>
    public bool IsHealthy => Status == KafkaHealthStatus.Healthy;

    /// <inheritdoc />
    public override string ToString() =>
        Diagnosis is null ? $"{Status} since {Since:O}" : $"{Status} since {Since:O}: {Diagnosis.Message}";
}
