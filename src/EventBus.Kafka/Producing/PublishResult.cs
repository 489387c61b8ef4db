namespace EventBus.Kafka.Producing;

/// <summary>Where the broker stored a published message.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The offset in the partition.</param>
/// <param name="Timestamp">The record timestamp (UTC).</param>
/// <param name="MessageId">The value of the <c>message-id</c> header.</param>
public sealed record PublishResult(string Topic, int Partition, long Offset, DateTimeOffset Timestamp, string MessageId);
