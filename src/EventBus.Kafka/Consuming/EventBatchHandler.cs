namespace EventBus.Kafka.Consuming;

/// <summary>
/// Handles a batch of consumed events of one partition, in offset order. Completing normally completes every event
/// of the batch; throwing retries the whole batch and, when retries are exhausted, dead-letters each of its events.
/// </summary>
/// <typeparam name="T">The payload type.</typeparam>
/// <param name="batch">The events, in offset order, all from one partition.</param>
/// <param name="cancellationToken">Cancelled when the consumer stops or loses the partition.</param>
/// <returns>A task that completes when the batch is handled.</returns>
public delegate Task EventBatchHandler<T>(IReadOnlyList<EventContext<T>> batch, CancellationToken cancellationToken);
