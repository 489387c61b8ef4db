using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Hosting;

/// <summary>
/// Handles the events of one topic in batches of one partition, in offset order. Registered with
/// <see cref="HostedConsumerBuilder.AddBatchHandler{T, THandler}(string, int, TimeSpan, System.Text.Json.Serialization.Metadata.JsonTypeInfo{T}?)"/>
/// and resolved from a new dependency-injection scope for every attempt at a batch.
/// </summary>
/// <typeparam name="T">The payload type.</typeparam>
/// <remarks>
/// Completing normally completes every event of the batch; throwing retries the whole batch (in a new scope) and, when
/// the retries are exhausted, dead-letters each of its events.
/// </remarks>
public interface IEventBatchHandler<T>
{
    /// <summary>Handles a batch.</summary>
    /// <param name="batch">The events, in offset order, all from one partition.</param>
    /// <param name="cancellationToken">Cancelled when the consumer stops or loses the partition.</param>
    /// <returns>A task that completes when the batch is handled.</returns>
    Task HandleAsync(IReadOnlyList<EventContext<T>> batch, CancellationToken cancellationToken);
}
