namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>The verdict of a health check (the same three values as ASP.NET Core's health checks).</summary>
public enum EventBusHealthStatus
{
    /// <summary>Working.</summary>
    Healthy,

    /// <summary>Working, with a failure current that does not stop it (one broker down, a producer that has not delivered since an outage the cluster has recovered from).</summary>
    Degraded,

    /// <summary>Not working: restart it (liveness) or send it no traffic (readiness).</summary>
    Unhealthy,
}
