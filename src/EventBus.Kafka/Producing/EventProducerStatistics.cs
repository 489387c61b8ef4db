using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Producing;

/// <summary>A snapshot of a producer's counters, for health reports and metrics.</summary>
/// <param name="MessagesSent">Messages the broker acknowledged.</param>
/// <param name="MessagesFailed">Messages that failed (delivery error, timeout, rejected).</param>
/// <param name="InFlight">Messages queued or sent but not yet acknowledged.</param>
/// <param name="State">The producer's state.</param>
/// <param name="Rebuilds">How many times the Confluent producer was rebuilt after a fatal error.</param>
/// <param name="LastError">The last client error, diagnosed (<see cref="KafkaDiagnosis.Message"/>; never a secret), if any.</param>
/// <param name="LastErrorAt">When <paramref name="LastError"/> was last seen.</param>
/// <param name="Health">The health: status, the current failure's diagnosis and since when, the last error.</param>
public sealed record EventProducerStatistics(
    long MessagesSent,
    long MessagesFailed,
    long InFlight,
    EventProducerState State,
    int Rebuilds,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    KafkaClientHealth Health);
