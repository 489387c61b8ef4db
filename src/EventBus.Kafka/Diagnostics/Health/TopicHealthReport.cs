namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>The topics in the health report: what the configuration requires and what the cluster has.</summary>
/// <param name="Required">The topics the configuration names (<c>KAFKA_TOPIC_*</c>).</param>
/// <param name="Existing">The required topics found on the cluster.</param>
/// <param name="Missing">The required topics not found.</param>
/// <param name="Created">The topics the provisioning run created.</param>
/// <param name="LastVerification">When the topics were last checked against the cluster (provisioning, or readiness's own metadata request), or <see langword="null"/> when never.</param>
/// <param name="VerifiedBy">What checked them last: <c>provisioning</c>, <c>readiness</c>, or <see langword="null"/> when nothing did.</param>
public sealed record TopicHealthReport(
    IReadOnlyList<string> Required,
    IReadOnlyList<string> Existing,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Created,
    DateTimeOffset? LastVerification,
    string? VerifiedBy);
