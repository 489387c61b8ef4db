using System.Diagnostics;
using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// The one thread that talks to the Confluent consumer: polls in bursts and hands records to the dispatcher, applies
/// completions, lets the committer and back-pressure act, starts partitions librdkafka left unstarted
/// (<see cref="FetchStartWatchdog"/>), serves rebalances (inside Consume), and on stop drains,
/// commits and leaves the group within <see cref="EventConsumerOptions.ShutdownTimeout"/> +
/// <see cref="EventConsumerOptions.CloseTimeout"/>.
/// </summary>
internal sealed class ConsumerPollLoop
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PausedPollTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan BoundWait = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan HogPatience = TimeSpan.FromMilliseconds(200);
    private const int MaxBurst = 256;

    private readonly EventConsumerOptions _options;
    private readonly string _groupId;
    private readonly IReadOnlyCollection<string> _topics;
    private readonly ConsumerClientFactory _clientFactory;
    private readonly PartitionAssignments _assignments;
    private readonly RecordDispatcher _dispatcher;
    private readonly CompletionQueue _completions;
    private readonly OffsetCommitter _committer;
    private readonly BackPressure _backPressure;
    private readonly ConsumerLifetime _lifetime;
    private readonly ConsumerCallContext _callContext;
    private readonly ConsumerCounters _counters;
    private readonly KafkaClientMonitor _monitor;
    private readonly ILogger _logger;
    private readonly TimeSpan _forcedPollInterval;
    private readonly FetchStartWatchdog _fetchStart;
    private readonly FetchStallWatchdog _fetchStall;
    private IConsumer<byte[]?, byte[]?>? _consumer;
    private KafkaDiagnosis? _fatalDiagnosis;

    /// <summary>Initializes a new instance of the <see cref="ConsumerPollLoop"/> class.</summary>
    /// <param name="options">The processing options (timeouts).</param>
    /// <param name="maxPollIntervalMs">max.poll.interval.ms: the loop polls at least every quarter of it (at most every second).</param>
    /// <param name="groupId">The group.</param>
    /// <param name="topics">The topics to subscribe to.</param>
    /// <param name="clientFactory">Builds the Confluent consumer.</param>
    /// <param name="assignments">The partitions owned and the rebalance handling.</param>
    /// <param name="dispatcher">Where records go.</param>
    /// <param name="completions">Where completions come back.</param>
    /// <param name="committer">The commit policy.</param>
    /// <param name="backPressure">The in-flight bound.</param>
    /// <param name="lifetime">The stop signal, state and fatal error.</param>
    /// <param name="callContext">Records the poll and close threads.</param>
    /// <param name="counters">The counters.</param>
    /// <param name="monitor">Diagnoses the client's errors and logs, keeps its health.</param>
    /// <param name="logger">The logger.</param>
    public ConsumerPollLoop(
        EventConsumerOptions options,
        int maxPollIntervalMs,
        string groupId,
        IReadOnlyCollection<string> topics,
        ConsumerClientFactory clientFactory,
        PartitionAssignments assignments,
        RecordDispatcher dispatcher,
        CompletionQueue completions,
        OffsetCommitter committer,
        BackPressure backPressure,
        ConsumerLifetime lifetime,
        ConsumerCallContext callContext,
        ConsumerCounters counters,
        KafkaClientMonitor monitor,
        ILogger logger)
    {
        _options = options;
        _groupId = groupId;
        _topics = topics;
        _clientFactory = clientFactory;
        _assignments = assignments;
        _dispatcher = dispatcher;
        _completions = completions;
        _committer = committer;
        _backPressure = backPressure;
        _lifetime = lifetime;
        _callContext = callContext;
        _counters = counters;
        _monitor = monitor;
        _logger = logger;
        _forcedPollInterval = TimeSpan.FromMilliseconds(Math.Min(1_000, maxPollIntervalMs / 4.0));
        _fetchStart = new FetchStartWatchdog(() => assignments.Owned, counters, groupId, logger);
        _fetchStall = new FetchStallWatchdog(() => assignments.Owned, () => Volatile.Read(ref counters.Paused) != 0, counters, groupId, logger);
    }

    /// <summary>Builds and subscribes the Confluent consumer and starts the poll thread.</summary>
    public void Start()
    {
        var consumer = _clientFactory(new ConsumerClientHandlers(OnAssigned, _assignments.OnRevoked, _assignments.OnLost, OnError, OnLog));
        _monitor.ClientName = consumer.Name;
        consumer.Subscribe(_topics);
        _committer.Bind(offsets => consumer.Commit(offsets));
        _consumer = consumer;
        // Liveness counts from here: a loop that never gets to poll (stuck in its first rebalance) is stuck too.
        Interlocked.Exchange(ref _counters.LastPollTicks, DateTimeOffset.UtcNow.UtcTicks);
        var thread = new Thread(Run) { IsBackground = true, Name = "eventbus-consumer:" + _groupId };
        _callContext.SetPollThread(thread);
        thread.Start();
    }

    private void Run()
    {
        var consumer = _consumer!;
        try
        {
            Poll(consumer);
            if (_lifetime.IsKilled)
            {
                _assignments.CancelAll();
                consumer.Dispose();
                _lifetime.State = EventConsumerState.Stopped;
                Log.Killed(_logger, _groupId);
                return;
            }

            Shutdown(consumer);
        }
#pragma warning disable CA1031 // The poll loop must report any failure instead of dying silently.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _lifetime.Fail(ex);
            Log.PollLoopFailed(_logger, ex, _groupId);
            _monitor.Fail(KafkaDiagnosis.FromException(ex));
            try
            {
                consumer.Dispose();
            }
            catch (ObjectDisposedException)
            {
            }
        }
        finally
        {
            _lifetime.State = _lifetime.FatalError is not null ? EventConsumerState.Faulted : EventConsumerState.Stopped;
            if (_lifetime.FatalError is { } fatal)
            {
                _monitor.Fail(_fatalDiagnosis ?? KafkaDiagnosis.FromException(fatal));
            }

            _monitor.Close();
            _lifetime.MarkFinished();
        }
    }

    private void Poll(IConsumer<byte[]?, byte[]?> consumer)
    {
        var lastPoll = Stopwatch.GetTimestamp();
        long boundSince = 0;
        while (!_lifetime.IsStopRequested)
        {
            // Soft bound: with the in-flight bound reached, wait for handlers instead of taking more records.
            // Fetching is not paused (pausing makes librdkafka drop what it prefetched), and the consumer still
            // polls at least every forced poll interval, so rebalances are served and max.poll.interval.ms holds.
            if (_backPressure.ActiveInFlight() >= _backPressure.MaxInFlight && Stopwatch.GetElapsedTime(lastPoll) < _forcedPollInterval)
            {
                if (boundSince == 0)
                {
                    boundSince = Stopwatch.GetTimestamp();
                }
                else if (Stopwatch.GetElapsedTime(boundSince) >= HogPatience)
                {
                    _backPressure.PauseHogs(consumer, _assignments.Owned);
                    boundSince = 0;
                }

                _completions.WaitForAny(BoundWait);
                AfterPoll(consumer);
                continue;
            }

            boundSince = 0;
            var result = TryConsume(consumer, _backPressure.IsPausing ? PausedPollTimeout : PollTimeout);
            lastPoll = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref _counters.LastPollTicks, DateTimeOffset.UtcNow.UtcTicks);
            if (result is not null)
            {
                _monitor.OnSuccess("records fetched");

                // Take what librdkafka already has queued in one burst (Consume(0) does not wait), then wake the
                // lanes once: one thread-pool wake-up per lane per burst instead of one per record.
                var burst = 0;
                do
                {
                    if (!result.IsPartitionEOF && _assignments.TryGet(result.TopicPartition, out var state))
                    {
                        _dispatcher.Dispatch(state, result);
                    }
                }
                while (++burst < MaxBurst && _backPressure.ActiveInFlight() < _backPressure.MaxInFlight && (result = TryConsume(consumer, TimeSpan.Zero)) is not null);

                _dispatcher.StartLanes();
            }

            AfterPoll(consumer);
        }
    }

    private ConsumeResult<byte[]?, byte[]?>? TryConsume(IConsumer<byte[]?, byte[]?> consumer, TimeSpan timeout)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException ex)
        {
            OnError(consumer, ex.Error);
            return null;
        }
    }

    private void AfterPoll(IConsumer<byte[]?, byte[]?> consumer)
    {
        _completions.Drain();
        _committer.CommitIfDue(_assignments.Owned);
        _backPressure.Apply(consumer, _committer.IsStalled, _committer.CompletedSinceSuccess);
        _fetchStart.Check(consumer);
        _fetchStall.Check(consumer);
    }

    private void Shutdown(IConsumer<byte[]?, byte[]?> consumer)
    {
        _lifetime.State = EventConsumerState.Stopping;
        var started = Stopwatch.GetTimestamp();
        _fetchStall.Stop();
        _lifetime.BeginDraining();
        var owned = _assignments.Owned.ToList();
        Log.Stopping(_logger, _groupId, Interlocked.Read(ref _counters.InFlight));
        long closeDeadline;
        if (!_completions.WaitForInFlight(owned, _options.ShutdownTimeout))
        {
            Log.ShutdownTimedOut(_logger, _options.ShutdownTimeout.TotalSeconds, Interlocked.Read(ref _counters.InFlight));
            _assignments.CancelAll();

            // A short grace for the cancelled handlers, out of the close budget: a stop never exceeds
            // ShutdownTimeout + CloseTimeout.
            closeDeadline = Stopwatch.GetTimestamp() + Ticks(_options.CloseTimeout);
            _completions.WaitForInFlight(owned, TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, _options.CloseTimeout.Ticks / 4)));
        }
        else
        {
            closeDeadline = Stopwatch.GetTimestamp() + Ticks(_options.CloseTimeout);
        }

        // Commit and leave the group off this thread, bounded: with the broker gone either could block.
        var close = Task.Run(() => Close(consumer, closeDeadline));
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), closeDeadline);
        if (close.Wait(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero))
        {
            consumer.Dispose();
            Log.Stopped(_logger, _groupId, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        else
        {
            Log.CloseTimedOut(_logger, _options.CloseTimeout.TotalSeconds);
            _ = close.ContinueWith(static (_, c) => ((IConsumer<byte[]?, byte[]?>)c!).Dispose(), consumer, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        _assignments.RemoveAll();
        _lifetime.State = EventConsumerState.Stopped;
    }

    private void Close(IConsumer<byte[]?, byte[]?> consumer, long deadline)
    {
        // Partition callbacks run on this thread during Close: a stop or dispose they call must not wait for it.
        _callContext.EnterClose();
        try
        {
            // A rebalance (another member joining or leaving) refuses commits until it completes: keep polling so it
            // completes (records it hands out are dropped: we are draining), then commit again. Only partitions still
            // owned are committed: one revoked or lost meanwhile may already have moved on at its new owner.
            while (!_committer.Commit(_assignments.Owned.ToList()) && Stopwatch.GetTimestamp() < deadline)
            {
                // A record handed out now is not dispatched: it stays uncommitted and is redelivered.
                _ = TryConsume(consumer, TimeSpan.FromMilliseconds(100));
                _completions.Drain();
            }

            consumer.Close();
        }
        finally
        {
            _callContext.ExitClose();
        }
    }

    private void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        // The group coordinator answered: the connection works (and the group may be read).
        _monitor.OnSuccess("partitions assigned");
        _assignments.OnAssigned(consumer, partitions);
    }

    private void OnError(IConsumer<byte[]?, byte[]?> consumer, Error error)
    {
        if (error.IsFatal)
        {
            _fatalDiagnosis ??= _monitor.OnError(error);
            _lifetime.Fail(new EventConsumerException(error));
            Log.Fatal(_logger, _groupId, error.Code.ToString(), error.Reason);
            return;
        }

        _fetchStart.OnError(error);
        switch (error.Code)
        {
            case ErrorCode.Local_PartitionEOF:
                return;
            case ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.InconsistentGroupProtocol or ErrorCode.Local_UnknownPartition:
                _monitor.Repeat("warning " + error.Code + " " + error.Reason, suffix => Log.ConsumerWarning(_logger, error.Code.ToString(), error.Reason + suffix));
                return;
            default:
                // Diagnosed (unreachable, TLS, authentication, a refused group or topic), recorded in the health, logged once.
                _monitor.OnError(error);
                return;
        }
    }

    private void OnLog(IConsumer<byte[]?, byte[]?> consumer, LogMessage message) => _monitor.OnLog(message);

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
