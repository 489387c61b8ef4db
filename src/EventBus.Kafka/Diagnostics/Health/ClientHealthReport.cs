namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>The health of one Kafka client in the report: its status, since when, the current failure and the last error.</summary>
/// <param name="Status">Healthy, Degraded, Failed or Closed (issue 13's states; see <see cref="KafkaHealthStatus"/>).</param>
/// <param name="Since">When <paramref name="Status"/> began.</param>
/// <param name="Diagnosis">The current failure (<see cref="KafkaDiagnosis.Message"/>: the class, what is wrong, what to check, librdkafka's reason), or <see langword="null"/> when healthy.</param>
/// <param name="FailureKind">The class of the current failure, or <see langword="null"/> when healthy.</param>
/// <param name="CheckVariables">The variables the current failure names, most likely first.</param>
/// <param name="LastError">The last error diagnosed (kept after recovery), or <see langword="null"/>.</param>
/// <param name="LastErrorAt">When <paramref name="LastError"/> was last seen.</param>
public sealed record ClientHealthReport(
    KafkaHealthStatus Status,
    DateTimeOffset Since,
    string? Diagnosis,
    KafkaFailureKind? FailureKind,
    IReadOnlyList<string> CheckVariables,
    string? LastError,
    DateTimeOffset? LastErrorAt)
{
    /// <summary>Reads a client's health snapshot.</summary>
    /// <param name="health">The snapshot.</param>
    /// <returns>The report.</returns>
    public static ClientHealthReport From(KafkaClientHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        return new ClientHealthReport(
            health.Status,
            health.Since,
            health.Diagnosis?.Message,
            health.Diagnosis?.Kind,
            health.Diagnosis?.Variables ?? [],
            health.LastError?.Message,
            health.LastErrorAt);
    }
}
