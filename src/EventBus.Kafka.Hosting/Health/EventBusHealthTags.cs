namespace EventBus.Kafka.Hosting.Health;

/// <summary>The tags of EventBus's health checks, for the endpoints' predicates (<c>Predicate = c =&gt; c.Tags.Contains(EventBusHealthTags.Live)</c>).</summary>
public static class EventBusHealthTags
{
    /// <summary>The liveness check's tag: a failure means restart the process.</summary>
    public const string Live = "live";

    /// <summary>The readiness check's tag: a failure means send the process no traffic yet.</summary>
    public const string Ready = "ready";
}
