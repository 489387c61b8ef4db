namespace EventBus.Kafka.Diagnostics;

/// <summary>The health of a Kafka client (an <see cref="Producing.EventProducer"/> or an <see cref="Consuming.EventConsumer"/>).</summary>
public enum KafkaHealthStatus
{
    /// <summary>Working: no failure since the last connection that succeeded (or none yet).</summary>
    Healthy,

    /// <summary>
    /// A failure is current (see <see cref="KafkaClientHealth.Diagnosis"/>): the brokers are unreachable, TLS or
    /// authentication fails, an operation is not authorized, or the client was rebuilt after a fatal error and has not
    /// delivered since. Back to <see cref="Healthy"/> by itself once a connection succeeds.
    /// </summary>
    Degraded,

    /// <summary>Stopped by an error it cannot recover from: restart the service.</summary>
    Failed,

    /// <summary>Disposed or stopped.</summary>
    Closed,
}
