namespace EventBus.Kafka.Consuming;

/// <summary>The lifecycle of an <see cref="EventConsumer"/>.</summary>
public enum EventConsumerState
{
    /// <summary>Built, not started.</summary>
    Created,

    /// <summary>Polling and dispatching.</summary>
    Running,

    /// <summary>Draining in-flight work, committing and leaving the group.</summary>
    Stopping,

    /// <summary>Stopped normally.</summary>
    Stopped,

    /// <summary>Stopped by a fatal error; see <see cref="EventConsumer.FatalError"/>.</summary>
    Faulted,
}
