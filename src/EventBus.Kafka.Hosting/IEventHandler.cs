using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Hosting;

/// <summary>
/// Handles the events of one topic, one at a time. Registered with
/// <see cref="HostedConsumerBuilder.AddHandler{T, THandler}(string, System.Text.Json.Serialization.Metadata.JsonTypeInfo{T}?)"/>
/// and resolved from a new dependency-injection scope for every delivery attempt, so it may depend on scoped services
/// (a DbContext, say); the scope is disposed when the attempt ends.
/// </summary>
/// <typeparam name="T">The payload type.</typeparam>
/// <remarks>
/// Completing normally means the event is done and its offset may be committed; throwing makes the consumer retry it
/// (each retry in a new scope) and, when the retries are exhausted, dead-letter it. Handlers of different partitions
/// (or keys) run concurrently, up to <see cref="EventConsumerOptions.MaxConcurrency"/>.
/// </remarks>
public interface IEventHandler<T>
{
    /// <summary>Handles one event.</summary>
    /// <param name="context">The event and the record it came in (topic, partition, offset, key, headers, attempt).</param>
    /// <param name="cancellationToken">Cancelled when the consumer stops or loses the partition and the wait for in-flight work ran out.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    Task HandleAsync(EventContext<T> context, CancellationToken cancellationToken);
}
