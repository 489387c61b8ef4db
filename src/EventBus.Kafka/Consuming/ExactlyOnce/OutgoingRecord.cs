using Confluent.Kafka;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>A record a handler (or the dead-letter path) published, held until its commit cycle produces it into the transaction.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Message">The record, headers included.</param>
internal readonly record struct OutgoingRecord(string Topic, Message<byte[]?, byte[]?> Message);
