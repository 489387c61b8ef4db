using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// The counters of one consumer, updated with <see cref="Interlocked"/> by the poll thread and the workers; read as
/// one <see cref="EventConsumerStatistics"/> snapshot.
/// </summary>
internal sealed class ConsumerCounters
{
    // Fields, so they can be passed by ref to Interlocked. Received and DeadLettered count records, DeadLetterFailures
    // publish attempts: the statistics' RecordsReceived, RecordsDeadLettered and DeadLetterAttemptsFailed.
    public long Received;
    public long RecordsProcessed;
    public long RecordsFailed;
    public long AttemptsFailed;
    public long AttemptsRetried;
    public long DeadLettered;
    public long DeadLetterFailures;
    public long NullRecordsSkipped;
    public long Commits;
    public long CommitFailures;
    public long Rebalances;
    public long InFlight;
    public long LastPollTicks;
    public long FetchRestarts;
    public int AssignedPartitions;
    public int Paused;

    /// <summary>The exactly-once counters, when the consumer runs in that mode.</summary>
    public ExactlyOnce.TransactionCounters? Transactions;

    /// <summary>Takes a snapshot, with no health known (the parts' own tests).</summary>
    /// <param name="state">The consumer's state.</param>
    /// <returns>The statistics.</returns>
    public EventConsumerStatistics Snapshot(EventConsumerState state) =>
        Snapshot(state, new KafkaClientHealth(KafkaHealthStatus.Healthy, null, DateTimeOffset.UnixEpoch, null, null));

    /// <summary>Takes a snapshot.</summary>
    /// <param name="state">The consumer's state.</param>
    /// <param name="health">The consumer's health.</param>
    /// <returns>The statistics.</returns>
    public EventConsumerStatistics Snapshot(EventConsumerState state, KafkaClientHealth health)
    {
        var lastPoll = Interlocked.Read(ref LastPollTicks);
        return new EventConsumerStatistics(
            state,
            Interlocked.Read(ref Received),
            Interlocked.Read(ref RecordsProcessed),
            Interlocked.Read(ref RecordsFailed),
            Interlocked.Read(ref AttemptsFailed),
            Interlocked.Read(ref AttemptsRetried),
            Interlocked.Read(ref DeadLettered),
            Interlocked.Read(ref DeadLetterFailures),
            Interlocked.Read(ref NullRecordsSkipped),
            Interlocked.Read(ref Commits),
            Interlocked.Read(ref CommitFailures),
            Interlocked.Read(ref Rebalances),
            Volatile.Read(ref AssignedPartitions),
            Interlocked.Read(ref InFlight),
            Volatile.Read(ref Paused) != 0,
            lastPoll == 0 ? null : new DateTimeOffset(lastPoll, TimeSpan.Zero),
            health.LastError?.Message,
            health.LastErrorAt,
            health,
            Transactions?.Snapshot(),
            Interlocked.Read(ref FetchRestarts));
    }
}
