namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>The result of a liveness or readiness check: the verdict, one line saying why, and every finding behind it.</summary>
/// <param name="Status">The verdict: the worst of the findings.</param>
/// <param name="Description">One line: what is wrong (the first unhealthy or degraded finding), or that everything works.</param>
/// <param name="Findings">Every client and topic checked, one line each (e.g. <c>consumer group-a (orders): 3 partition(s) assigned</c>); never a secret.</param>
public sealed record EventBusHealthCheckResult(EventBusHealthStatus Status, string Description, IReadOnlyList<string> Findings);
