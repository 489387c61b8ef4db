namespace EventBus.Kafka.Consuming;

/// <summary>The counters of a consumer in exactly-once mode (<see cref="EventConsumerOptions.ExactlyOnce"/>), part of <see cref="EventConsumerStatistics"/>.</summary>
/// <param name="Path">
/// How transactions are fenced: <c>ProducerPerPartition</c> (brokers before 2.5: one transactional producer per assigned
/// input partition) or <c>GroupMetadata</c> (2.5 and later, KIP-447: one producer, fenced by the group metadata).
/// </param>
/// <param name="TransactionsCommitted">Transactions committed (one per transactional producer per commit cycle that had work).</param>
/// <param name="TransactionsAborted">Transactions aborted (a failed commit, a fatal producer error); their records are redelivered.</param>
/// <param name="ProducersFenced">Times a transactional producer was fenced (another instance took over its id) and rebuilt.</param>
/// <param name="CommitCycles">Commit cycles run (each commits every producer that had work).</param>
/// <param name="LastCommitCycleMs">How long the last commit cycle took, in milliseconds (the poll thread waits for it).</param>
/// <param name="AverageCommitCycleMs">The average commit cycle, in milliseconds.</param>
/// <param name="MaxCommitCycleMs">The longest commit cycle, in milliseconds.</param>
/// <param name="Producers">Transactional producers open now.</param>
public sealed record ExactlyOnceStatistics(
    string Path,
    long TransactionsCommitted,
    long TransactionsAborted,
    long ProducersFenced,
    long CommitCycles,
    double LastCommitCycleMs,
    double AverageCommitCycleMs,
    double MaxCommitCycleMs,
    int Producers);
