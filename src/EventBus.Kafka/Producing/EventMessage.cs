namespace EventBus.Kafka.Producing;

/// <summary>One message of a batch publish.</summary>
/// <typeparam name="T">The payload type.</typeparam>
/// <param name="Message">The payload.</param>
/// <param name="PartitionKey">The record key (same key, same partition, order kept); <see langword="null"/> spreads messages.</param>
/// <param name="Headers">Headers to add to the standard ones.</param>
public sealed record EventMessage<T>(T Message, string? PartitionKey = null, IEnumerable<KeyValuePair<string, string>>? Headers = null);
