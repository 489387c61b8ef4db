namespace EventBus.Kafka.Producing;

/// <summary>The health of an <see cref="EventProducer"/>.</summary>
public enum EventProducerState
{
    /// <summary>Publishing normally.</summary>
    Healthy,

    /// <summary>A fatal error occurred and the producer was rebuilt; publishing works, the incident is reported.</summary>
    Recovered,

    /// <summary>A fatal error occurred again after the rebuild: publishing fails until the service restarts.</summary>
    Failed,

    /// <summary>Disposed.</summary>
    Closed,
}
