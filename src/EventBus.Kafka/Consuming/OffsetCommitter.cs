using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// Decides what is committed and when: the highest contiguous completed offset of each partition (its
/// <see cref="OffsetTracker"/>), batched by interval and count or per message, retried on its own after a refused or
/// failed commit. Poll thread only, like the Confluent consumer whose commit it calls.
/// </summary>
internal sealed class OffsetCommitter
{
    /// <summary>How long a refused or failed commit waits before it is tried again.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly EventConsumerOptions _options;
    private readonly ConsumerCounters _counters;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConsumerTelemetry? _telemetry;
    private Action<List<TopicPartitionOffset>> _commit = static _ => throw new InvalidOperationException("The committer is not bound to a consumer.");
    private long _completedSinceCommit;
    private long _completedSinceSuccess;
    private long _nextCommitDue;
    private bool _owed;
    private long _retryAt;

    /// <summary>Initializes a new instance of the <see cref="OffsetCommitter"/> class.</summary>
    /// <param name="options">The commit policy.</param>
    /// <param name="counters">Where commits and their failures are counted.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="telemetry">The consumer's telemetry (the commit failure count).</param>
    public OffsetCommitter(EventConsumerOptions options, ConsumerCounters counters, ILogger logger, TimeProvider? timeProvider = null, ConsumerTelemetry? telemetry = null)
    {
        _options = options;
        _counters = counters;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _telemetry = telemetry;
    }

    /// <summary>Gets or sets the commit used instead of the consumer's (exactly-once mode: the offsets commit in transactions).</summary>
    public Action<List<TopicPartitionOffset>>? CommitOverride { get; set; }

    /// <summary>Gets a value indicating whether a refused or failed commit waits to be retried.</summary>
    public bool IsOwed => _owed;

    /// <summary>
    /// Gets a value indicating whether commits are refused while <see cref="EventConsumerOptions.CommitBatchSize"/> or
    /// more records were handled since the last one that succeeded. Fetching is then paused (see
    /// <see cref="BackPressure"/>): every record handled meanwhile would be redelivered if the partitions were lost, so
    /// the redeliveries stay within the documented bound instead of growing for as long as the coordinator refuses.
    /// </summary>
    public bool IsStalled => _owed && _completedSinceSuccess >= _options.CommitBatchSize;

    /// <summary>Gets the records handled since the last commit that succeeded.</summary>
    public long CompletedSinceSuccess => _completedSinceSuccess;

    /// <summary>Binds the committer to the consumer's synchronous commit; the interval starts now.</summary>
    /// <param name="commit">Commits offsets (throws <see cref="KafkaException"/> when it fails).</param>
    public void Bind(Action<List<TopicPartitionOffset>> commit)
    {
        _commit = CommitOverride ?? commit;
        _nextCommitDue = _time.GetTimestamp() + Ticks(_options.CommitInterval);
    }

    /// <summary>Records that a record's offset may be committed.</summary>
    /// <param name="state">The record's partition.</param>
    /// <param name="offset">The offset.</param>
    public void Completed(PartitionState state, long offset)
    {
        state.Tracker.Complete(offset);
        _completedSinceCommit++;
        _completedSinceSuccess++;
    }

    /// <summary>Commits when the policy says so: per message, every <see cref="EventConsumerOptions.CommitBatchSize"/>
    /// records, every <see cref="EventConsumerOptions.CommitInterval"/>, or <see cref="RetryDelay"/> after a refusal.</summary>
    /// <param name="owned">The partitions the consumer owns.</param>
    public void CommitIfDue(IEnumerable<PartitionState> owned)
    {
        if (_completedSinceCommit == 0 && !_owed)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (_owed)
        {
            // A refused or failed commit is retried on its own, even if no record completes again (an idle
            // partition), but not more often than every RetryDelay: no commit storm during a rebalance.
            if (now >= _retryAt)
            {
                Commit(owned);
            }

            return;
        }

        if (_options.CommitMode == CommitMode.PerMessage
            || _completedSinceCommit >= _options.CommitBatchSize
            || now >= _nextCommitDue)
        {
            Commit(owned);
        }
    }

    /// <summary>Commits the highest contiguous completed offset of each given partition that moved.</summary>
    /// <param name="states">The partitions; only partitions still owned may be given.</param>
    /// <returns>False when a rebalance refused the commit (the offsets are kept for the next one).</returns>
    public bool Commit(IEnumerable<PartitionState> states)
    {
        var offsets = new List<TopicPartitionOffset>();
        var moved = new List<(PartitionState State, long Offset)>();
        foreach (var state in states)
        {
            var committable = state.Tracker.Committable;
            if (committable > state.Committed)
            {
                offsets.Add(new TopicPartitionOffset(state.TopicPartition, committable));
                moved.Add((state, committable));
            }
        }

        _completedSinceCommit = 0;
        _nextCommitDue = _time.GetTimestamp() + Ticks(_options.CommitInterval);
        _owed = false;
        if (offsets.Count == 0)
        {
            _completedSinceSuccess = 0;
            return true;
        }

        try
        {
            _commit(offsets);
            foreach (var (state, offset) in moved)
            {
                state.Committed = offset;
            }

            _completedSinceSuccess = 0;
            Interlocked.Increment(ref _counters.Commits);
            return true;
        }
        catch (KafkaException ex)
        {
            _owed = true;
            _retryAt = _time.GetTimestamp() + Ticks(RetryDelay);
            Interlocked.Increment(ref _counters.CommitFailures);
            var code = ex is TopicPartitionOffsetException tpoe
                ? tpoe.Results.FirstOrDefault(r => r.Error.IsError)?.Error.Code ?? ex.Error.Code
                : ex.Error.Code;
            _telemetry?.CommitFailed(code);
            if (IsRebalanceError(code))
            {
                // Expected during a rebalance: the offsets are committed by the next commit or on revoke.
                Log.CommitDeferred(_logger, code.ToString(), offsets.Count);
                return false;
            }

            Log.CommitFailed(_logger, ex, code.ToString(), offsets.Count);
            return true;
        }
    }

    /// <summary>Whether a commit error is what a rebalance causes (expected, not fatal).</summary>
    /// <param name="code">The error code.</param>
    /// <returns>Whether it is.</returns>
    public static bool IsRebalanceError(ErrorCode code) => code is
        ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId
        or ErrorCode.Local_State or ErrorCode.Local_Fenced or ErrorCode.Local_AssignmentLost or ErrorCode.FencedInstanceId
        or ErrorCode.NotCoordinatorForGroup or ErrorCode.Local_NoOffset;

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
