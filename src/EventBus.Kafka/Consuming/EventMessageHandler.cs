namespace EventBus.Kafka.Consuming;

/// <summary>
/// Handles one consumed event. Completing normally means the event is done and its offset may be committed;
/// throwing makes the consumer retry it and, when retries are exhausted, dead-letter it.
/// </summary>
/// <typeparam name="T">The payload type.</typeparam>
/// <param name="context">The event and where it came from.</param>
/// <param name="cancellationToken">Cancelled when the consumer stops or loses the partition and the wait for in-flight work ran out.</param>
/// <returns>A task that completes when the event is handled.</returns>
public delegate Task EventMessageHandler<T>(EventContext<T> context, CancellationToken cancellationToken);
