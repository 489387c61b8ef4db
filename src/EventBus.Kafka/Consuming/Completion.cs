namespace EventBus.Kafka.Consuming;

/// <summary>A record finished (done) or was dropped without completing (its partition went away).</summary>
internal readonly record struct Completion(PartitionState State, long Offset, bool Done);
