using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// A snapshot of a consumer's counters, for health reports and metrics. Names say what they count: <c>Records…</c>
/// count records, each once however many times its handler ran; <c>Attempts…</c> count handler invocations (a batch
/// handler's invocation counts once, whatever the batch size).
/// </summary>
/// <remarks>
/// Every record received ends in exactly one of <see cref="RecordsProcessed"/>, <see cref="RecordsFailed"/> and
/// <see cref="NullRecordsSkipped"/>, or is still in flight, or was dropped on revoke or shutdown (then redelivered).
/// <see cref="AttemptsFailed"/> minus <see cref="AttemptsRetried"/> is the number of failed attempts that were the
/// last of their record.
/// </remarks>
/// <param name="State">The lifecycle state.</param>
/// <param name="RecordsReceived">Records taken from the broker and dispatched.</param>
/// <param name="RecordsProcessed">Records whose handler succeeded (on any attempt; each record of a successful batch counts).</param>
/// <param name="RecordsFailed">
/// Records given up on: undeserializable (no attempt), or whose handler failed on the last attempt allowed or with a
/// non-retriable exception. Each counts once; it then goes to the dead-letter topic.
/// </param>
/// <param name="AttemptsFailed">Handler invocations that threw, retries included.</param>
/// <param name="AttemptsRetried">Failed handler invocations that were scheduled to run again (retries in place).</param>
/// <param name="RecordsDeadLettered">Records the dead-letter topic acknowledged.</param>
/// <param name="DeadLetterAttemptsFailed">Dead-letter publishes that failed and were tried again (their offsets stayed uncommitted meanwhile).</param>
/// <param name="NullRecordsSkipped">
/// Records skipped and committed because their message is null — a tombstone (no value) or the JSON literal
/// <c>null</c> — and their handler did not opt in to null messages.
/// </param>
/// <param name="Commits">Successful offset commits.</param>
/// <param name="CommitFailures">Commits that failed (rebalance-caused ones included).</param>
/// <param name="Rebalances">Assignments, revocations and losses seen.</param>
/// <param name="AssignedPartitions">Partitions currently assigned.</param>
/// <param name="InFlight">Records dispatched and not yet completed.</param>
/// <param name="PausedForBackPressure">Whether fetching is paused because in-flight work reached the bound.</param>
/// <param name="LastPoll">When the poll loop last made progress (liveness); set when the loop starts, then after every poll.</param>
/// <param name="LastError">The last client error, diagnosed (<see cref="KafkaDiagnosis.Message"/>; never a secret), if any.</param>
/// <param name="LastErrorAt">When <paramref name="LastError"/> was last seen.</param>
/// <param name="Health">The health: status, the current failure's diagnosis and since when, the last error (as <see cref="EventConsumer.Health"/>).</param>
/// <param name="ExactlyOnce">The transaction counters in exactly-once mode (<see cref="EventConsumerOptions.ExactlyOnce"/>); otherwise <see langword="null"/>.</param>
/// <param name="FetchRestarts">
/// Assigned partitions that had not started fetching (librdkafka could not read their committed offset), or whose
/// fetch stopped while their leader held records beyond their position, and were assigned again so that they are
/// fetched; each time counts.
/// </param>
public sealed record EventConsumerStatistics(
    EventConsumerState State,
    long RecordsReceived,
    long RecordsProcessed,
    long RecordsFailed,
    long AttemptsFailed,
    long AttemptsRetried,
    long RecordsDeadLettered,
    long DeadLetterAttemptsFailed,
    long NullRecordsSkipped,
    long Commits,
    long CommitFailures,
    long Rebalances,
    int AssignedPartitions,
    long InFlight,
    bool PausedForBackPressure,
    DateTimeOffset? LastPoll,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    KafkaClientHealth Health,
    ExactlyOnceStatistics? ExactlyOnce = null,
    long FetchRestarts = 0);
