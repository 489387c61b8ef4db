using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>One consumer in the health report (from <see cref="EventConsumer.GetStatistics"/>).</summary>
/// <param name="GroupId">The consumer group.</param>
/// <param name="Topics">The topics it subscribes to.</param>
/// <param name="State">Its lifecycle state.</param>
/// <param name="Health">Its health: status, since when, the current failure, the last error.</param>
/// <param name="LastPoll">When its poll loop last polled.</param>
/// <param name="PollStalled">Whether the poll loop has not polled for longer than the bound (<see cref="EventBusHealthOptions.MaxPollStall"/>): liveness fails.</param>
/// <param name="AssignedPartitions">Partitions assigned now.</param>
/// <param name="RecordsReceived">Records taken from the broker (<see cref="EventConsumerStatistics.RecordsReceived"/>).</param>
/// <param name="RecordsProcessed">Records whose handler succeeded.</param>
/// <param name="RecordsFailed">Records given up on (then dead-lettered).</param>
/// <param name="RecordsDeadLettered">Records the dead-letter topic acknowledged.</param>
/// <param name="InFlight">Records dispatched and not yet completed.</param>
/// <param name="Commits">Successful offset commits.</param>
/// <param name="CommitFailures">Commits that failed.</param>
/// <param name="Rebalances">Assignments, revocations and losses seen.</param>
public sealed record ConsumerHealthReport(
    string GroupId,
    IReadOnlyList<string> Topics,
    EventConsumerState State,
    ClientHealthReport Health,
    DateTimeOffset? LastPoll,
    bool PollStalled,
    int AssignedPartitions,
    long RecordsReceived,
    long RecordsProcessed,
    long RecordsFailed,
    long RecordsDeadLettered,
    long InFlight,
    long Commits,
    long CommitFailures,
    long Rebalances);
