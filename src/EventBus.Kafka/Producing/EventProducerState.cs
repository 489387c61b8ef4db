namespace EventBus.Kafka.Producing;

/// <summary>The state of an <see cref="EventProducer"/>; <see cref="EventProducer.Health"/> says why and since when.</summary>
public enum EventProducerState
{
    /// <summary>Publishing normally: no failure since the last delivery.</summary>
    Healthy,

    /// <summary>
    /// A failure is current (<see cref="EventProducer.Health"/> has its diagnosis): the cluster is unreachable, TLS or
    /// authentication fails (publishes then fail at once), a topic is not authorized, or the producer was rebuilt after a
    /// fatal error and has not delivered since. Back to <see cref="Healthy"/> by itself with the next delivery.
    /// </summary>
    /// <remarks>Replaces <c>Recovered</c> of earlier versions: a rebuild after a fatal error is <see cref="Degraded"/> until the new producer delivers.</remarks>
    Degraded,

    /// <summary>A fatal error occurred again after the rebuild: publishing fails until the service restarts.</summary>
    Failed,

    /// <summary>Disposed.</summary>
    Closed,
}
