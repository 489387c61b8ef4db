using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>The producer in the health report (from <see cref="EventProducer.GetStatistics"/>).</summary>
/// <param name="ClientId">The client.id of the Confluent producer in use.</param>
/// <param name="State">The producer's state.</param>
/// <param name="Health">Its health: status, since when, the current failure, the last error.</param>
/// <param name="MessagesSent">Messages the broker acknowledged (<see cref="EventProducerStatistics.MessagesSent"/>).</param>
/// <param name="MessagesFailed">Messages that failed (<see cref="EventProducerStatistics.MessagesFailed"/>).</param>
/// <param name="InFlight">Messages not yet acknowledged.</param>
/// <param name="Rebuilds">Rebuilds after a fatal error.</param>
public sealed record ProducerHealthReport(
    string ClientId,
    EventProducerState State,
    ClientHealthReport Health,
    long MessagesSent,
    long MessagesFailed,
    long InFlight,
    int Rebuilds);
