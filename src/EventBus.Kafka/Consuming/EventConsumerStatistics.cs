namespace EventBus.Kafka.Consuming;

/// <summary>A snapshot of a consumer's counters, for health reports and metrics.</summary>
/// <param name="State">The lifecycle state.</param>
/// <param name="MessagesReceived">Records taken from the broker.</param>
/// <param name="MessagesProcessed">Records whose handler succeeded.</param>
/// <param name="MessagesFailed">Handler invocations that threw.</param>
/// <param name="MessagesRetried">Retries scheduled.</param>
/// <param name="MessagesDeadLettered">Records published to the dead-letter topic.</param>
/// <param name="DeadLetterFailures">Dead-letter publishes that failed and were retried (their offsets stayed uncommitted).</param>
/// <param name="Commits">Successful offset commits.</param>
/// <param name="CommitFailures">Commits that failed (rebalance-caused ones included).</param>
/// <param name="Rebalances">Assignments, revocations and losses seen.</param>
/// <param name="AssignedPartitions">Partitions currently assigned.</param>
/// <param name="InFlight">Records dispatched and not yet completed.</param>
/// <param name="PausedForBackPressure">Whether fetching is paused because in-flight work reached the bound.</param>
/// <param name="LastPoll">When the poll loop last made progress (liveness).</param>
public sealed record EventConsumerStatistics(
    EventConsumerState State,
    long MessagesReceived,
    long MessagesProcessed,
    long MessagesFailed,
    long MessagesRetried,
    long MessagesDeadLettered,
    long DeadLetterFailures,
    long Commits,
    long CommitFailures,
    long Rebalances,
    int AssignedPartitions,
    long InFlight,
    bool PausedForBackPressure,
    DateTimeOffset? LastPoll);
