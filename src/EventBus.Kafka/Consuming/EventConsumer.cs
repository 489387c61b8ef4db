using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// A manual-commit, cooperative-sticky Kafka consumer that calls handler delegates (build it with
/// <see cref="EventConsumerBuilder"/>). At-least-once: an offset is committed only after its handler succeeded or
/// the record was dead-lettered.
/// </summary>
/// <remarks>
/// <para>One poll thread talks to Kafka; handlers run on the thread pool, at most
/// <see cref="EventConsumerOptions.MaxConcurrency"/> at once, one at a time per partition (or per key). The
/// committed offset of a partition is its highest contiguous completed offset. When in-flight records reach
/// <c>KAFKA_CONSUMER_MAX_POLL_RECORDS</c>, fetching pauses while polling continues, so a slow handler never
/// makes the consumer leave its group.</para>
/// <para>Rebalances are incremental. Revoked partitions stop dispatching, their in-flight work is awaited (bounded)
/// and committed; lost partitions are dropped without committing. Commit failures caused by a rebalance are expected.</para>
/// <para>A failing record is retried in place with exponential backoff and jitter, then published to the DLQ topic
/// with Spring-compatible <see cref="DeadLetterHeaderNames"/> headers, and an <see cref="ErrorEvent"/> goes to the
/// errors topic. Undeserializable records go to the DLQ at once. If the DLQ publish fails, nothing is committed and
/// the publish is retried.</para>
/// </remarks>
public sealed class EventConsumer : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PausedPollTimeout = TimeSpan.FromMilliseconds(10);
    private const int MaxBurst = 256;
    private static readonly TimeSpan CommitRetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan HogPatience = TimeSpan.FromMilliseconds(200);

    private readonly EventBusOptions _options;
    private readonly EventConsumerOptions _consumerOptions;
    private readonly ILogger _logger;
    private readonly Dictionary<string, ConsumerRoute> _routes;
    private readonly Lazy<EventProducer> _deadLetterProducer;
    private readonly bool _ownsDeadLetterProducer;
    private readonly string _deadLetterTopic;
    private readonly string? _errorsTopic;
    private readonly string _groupId;
    private readonly byte[] _groupIdBytes;
    private readonly int _maxInFlight;
    private readonly TimeSpan _forcedPollInterval;
    private readonly SemaphoreSlim _concurrency;
    private readonly ConcurrentQueue<Completion> _completions = new();
    private readonly SemaphoreSlim _completionSignal = new(0);
    private readonly Dictionary<TopicPartition, PartitionState> _partitions = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly AsyncLocal<bool> _insideHandler = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _lifecycle = new();
    private IConsumer<byte[]?, byte[]?>? _consumer;
    private Thread? _pollThread;
    private volatile int _closeThreadId = -1;
    private volatile EventConsumerState _state = EventConsumerState.Created;
    private volatile Exception? _fatalError;
    private volatile bool _draining;
    private volatile bool _killed;
    private volatile bool _waitingForCompletions;
    private readonly List<PartitionState> _pausedPartitions = [];
    private readonly List<Lane> _lanesToStart = [];
    private bool _paused;
    private bool _assignmentChanged;
    private int _partitionCap;
    private long _inFlight;
    private long _completedSinceCommit;
    private long _nextCommitDue;
    private bool _commitOwed;
    private long _commitRetryAt;
    private long _received;
    private long _processed;
    private long _failed;
    private long _retried;
    private long _deadLettered;
    private long _deadLetterFailures;
    private long _commits;
    private long _commitFailures;
    private long _rebalances;
    private long _lastPollTicks;
    private int _assignedCount;
    private int _pausedFlag;
    private int _disposed;

    internal EventConsumer(
        EventBusOptions options,
        EventConsumerOptions consumerOptions,
        IReadOnlyList<ConsumerRoute> routes,
        EventProducer? deadLetterProducer,
        ILoggerFactory? loggerFactory)
    {
        EventBusOptionsValidator.ThrowIfInvalid(options, EventBusClientKinds.Consumer);
        consumerOptions.Validate();
        if (routes.Count == 0)
        {
            throw new ArgumentException("Add at least one handler before building the consumer.", nameof(routes));
        }

        _options = options;
        _consumerOptions = consumerOptions;
        _logger = loggerFactory?.CreateLogger<EventConsumer>() ?? (ILogger)NullLogger.Instance;
        _routes = routes.ToDictionary(r => r.Topic, StringComparer.Ordinal);
        _groupId = options.Consumer.GroupId!;
        _groupIdBytes = Encoding.UTF8.GetBytes(_groupId);
        _maxInFlight = options.Consumer.MaxPollRecords;
        _forcedPollInterval = TimeSpan.FromMilliseconds(Math.Min(1_000, options.Consumer.MaxPollIntervalMs / 4.0));
        _concurrency = new SemaphoreSlim(consumerOptions.MaxConcurrency, consumerOptions.MaxConcurrency);
        _deadLetterTopic = options.Topics.GetTopicName(consumerOptions.DeadLetterTopicKey);
        _errorsTopic = options.Topics.TryGetTopicName(consumerOptions.ErrorsTopicKey, out var errors) ? errors : null;
        _ownsDeadLetterProducer = deadLetterProducer is null;
        _deadLetterProducer = deadLetterProducer is null
            ? new Lazy<EventProducer>(() => new EventProducer(options, loggerFactory?.CreateLogger<EventProducer>()), LazyThreadSafetyMode.ExecutionAndPublication)
            : new Lazy<EventProducer>(deadLetterProducer);
    }

    /// <summary>Gets the lifecycle state.</summary>
    public EventConsumerState State => _state;

    /// <summary>Gets the error that stopped the consumer, when <see cref="State"/> is <see cref="EventConsumerState.Faulted"/>.</summary>
    public Exception? FatalError => _fatalError;

    /// <summary>Gets the consumer group.</summary>
    public string GroupId => _groupId;

    /// <summary>Gets the topics the consumer subscribes to.</summary>
    public IReadOnlyCollection<string> Topics => _routes.Keys;

    /// <summary>Starts polling on a dedicated thread and returns at once. Stop with <see cref="StopAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">The consumer was already started.</exception>
    public void Start()
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_state != EventConsumerState.Created)
            {
                throw new InvalidOperationException($"The consumer was already started (state {_state}); build a new one to consume again.");
            }

            _consumer = BuildConsumer();
            _consumer.Subscribe(_routes.Keys);
            _state = EventConsumerState.Running;
            Interlocked.Exchange(ref _nextCommitDue, Stopwatch.GetTimestamp() + ToTicks(_consumerOptions.CommitInterval));
            _pollThread = new Thread(PollLoop) { IsBackground = true, Name = "eventbus-consumer:" + _groupId };
            _pollThread.Start();
            Log.Started(_logger, _groupId, string.Join(",", _routes.Keys), _consumerOptions.MaxConcurrency, _maxInFlight);
        }
    }

    /// <summary>
    /// Consumes until <paramref name="cancellationToken"/> is cancelled, then stops gracefully: in-flight work drains
    /// (bounded by <see cref="EventConsumerOptions.ShutdownTimeout"/>), offsets are committed, the group is left.
    /// </summary>
    /// <param name="cancellationToken">Stops the consumer.</param>
    /// <returns>A task that completes when the consumer has stopped.</returns>
    /// <exception cref="EventConsumerException">A fatal Kafka error stopped the consumer.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Start();
        using (cancellationToken.Register(static s => ((EventConsumer)s!).RequestStop(), this))
        {
            await _finished.Task.ConfigureAwait(false);
        }

        ThrowIfFaulted();
    }

    /// <summary>
    /// Stops gracefully and waits: dispatching stops, in-flight records finish (at most
    /// <see cref="EventConsumerOptions.ShutdownTimeout"/>, then their handlers are cancelled), completed offsets are
    /// committed, and the group is left (at most <see cref="EventConsumerOptions.CloseTimeout"/>, even with the broker gone).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the consumer still stops in the background).</param>
    /// <returns>A task that completes when the consumer has stopped.</returns>
    /// <exception cref="EventConsumerException">A fatal Kafka error had stopped the consumer.</exception>
    /// <remarks>
    /// Called from a handler or a partition callback of this consumer (which the stop would have to wait for), it
    /// requests the stop and returns at once: the consumer stops once the caller returns, and that record is committed
    /// like any other. The same holds for <see cref="Dispose"/> and <see cref="DisposeAsync"/>.
    /// </remarks>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_lifecycle)
        {
            if (_state == EventConsumerState.Created)
            {
                _state = EventConsumerState.Stopped;
                _finished.TrySetResult();
            }
        }

        RequestStop();
        if (IsCalledFromConsumer)
        {
            // A handler or a rebalance callback cannot wait for a stop that waits for it: the stop goes on once it returns.
            return;
        }

        await _finished.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfFaulted();
    }

    /// <summary>Gets a snapshot of the counters and health.</summary>
    /// <returns>The statistics.</returns>
    public EventConsumerStatistics GetStatistics()
    {
        var lastPoll = Interlocked.Read(ref _lastPollTicks);
        return new EventConsumerStatistics(
            _state,
            Interlocked.Read(ref _received),
            Interlocked.Read(ref _processed),
            Interlocked.Read(ref _failed),
            Interlocked.Read(ref _retried),
            Interlocked.Read(ref _deadLettered),
            Interlocked.Read(ref _deadLetterFailures),
            Interlocked.Read(ref _commits),
            Interlocked.Read(ref _commitFailures),
            Interlocked.Read(ref _rebalances),
            Volatile.Read(ref _assignedCount),
            Interlocked.Read(ref _inFlight),
            Volatile.Read(ref _pausedFlag) != 0,
            lastPoll == 0 ? null : new DateTimeOffset(lastPoll, TimeSpan.Zero));
    }

    /// <summary>Stops gracefully (as <see cref="StopAsync"/>) and releases everything. Idempotent.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Stops gracefully (as <see cref="StopAsync"/>) and releases everything. Idempotent.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (IsCalledFromConsumer)
        {
            // From a handler or a partition callback: stop, and release once stopped (waiting here would deadlock).
            await StopAsync().ConfigureAwait(false);
            _ = _finished.Task.ContinueWith(static (_, c) => ((EventConsumer)c!).ReleaseResourcesAsync(), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            return;
        }

        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        catch (EventConsumerException)
        {
            // Already reported through RunAsync, StopAsync and State.
        }

        await ReleaseResourcesAsync().ConfigureAwait(false);
    }

    /// <summary>Gets a value indicating whether stopping began: records not started yet are left for redelivery.</summary>
    private bool StopRequested => _draining || _stop.IsCancellationRequested;

    /// <summary>Gets a value indicating whether the caller is a handler or a partition callback of this consumer.</summary>
    private bool IsCalledFromConsumer =>
        _insideHandler.Value || Thread.CurrentThread == _pollThread || Environment.CurrentManagedThreadId == _closeThreadId;

    private async Task ReleaseResourcesAsync()
    {
        if (_ownsDeadLetterProducer && _deadLetterProducer.IsValueCreated)
        {
            await _deadLetterProducer.Value.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>
    /// Simulates a crash, for tests: the poll thread stops and the Confluent consumer is destroyed without committing
    /// or leaving the group. In-flight handlers are cancelled and their results ignored.
    /// </summary>
    internal async Task KillAsync()
    {
        _killed = true;
        RequestStop();
        await _finished.Task.ConfigureAwait(false);
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = KafkaClientConfigFactory.CreateConsumerConfig(_options);
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler(OnLost)
            .SetErrorHandler(OnError)
            .SetLogHandler(OnLog)
            .UseOAuthBearerTokenProvider(_options, _logger)
            .Build();
    }

    private void RequestStop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ThrowIfFaulted()
    {
        if (_fatalError is { } error)
        {
            throw error as EventConsumerException ?? new EventConsumerException("The consumer's poll loop failed: " + error.Message, error);
        }
    }

    private void PollLoop()
    {
        var consumer = _consumer!;
        try
        {
            var lastPoll = Stopwatch.GetTimestamp();
            long boundSince = 0;
            while (!_stop.IsCancellationRequested)
            {
                // Soft bound: with the in-flight bound reached, wait for handlers instead of taking more records.
                // Fetching is not paused (pausing makes librdkafka drop what it prefetched), and the consumer still
                // polls at least every ForcedPollInterval, so rebalances are served and max.poll.interval.ms holds.
                if (ActiveInFlight() >= _maxInFlight && Stopwatch.GetElapsedTime(lastPoll) < _forcedPollInterval)
                {
                    if (boundSince == 0)
                    {
                        boundSince = Stopwatch.GetTimestamp();
                    }
                    else if (Stopwatch.GetElapsedTime(boundSince) >= HogPatience)
                    {
                        PauseHogs(consumer);
                        boundSince = 0;
                    }

                    WaitForCompletion(TimeSpan.FromMilliseconds(20));
                    DrainCompletions();
                    CommitIfDue(consumer);
                    ApplyBackPressure(consumer);
                    continue;
                }

                boundSince = 0;
                ConsumeResult<byte[]?, byte[]?>? result = null;
                try
                {
                    result = consumer.Consume(_paused || _pausedPartitions.Count > 0 ? PausedPollTimeout : PollTimeout);
                }
                catch (ConsumeException ex)
                {
                    OnConsumeError(ex.Error);
                }

                lastPoll = Stopwatch.GetTimestamp();
                Interlocked.Exchange(ref _lastPollTicks, DateTimeOffset.UtcNow.UtcTicks);
                if (result is not null)
                {
                    // Take what librdkafka already has queued in one burst (Consume(0) does not wait), then wake the
                    // lanes once: one thread-pool wake-up per lane per burst instead of one per record.
                    var burst = 0;
                    do
                    {
                        if (!result.IsPartitionEOF)
                        {
                            Dispatch(consumer, result);
                        }
                    }
                    while (++burst < MaxBurst && ActiveInFlight() < _maxInFlight && (result = consumer.Consume(TimeSpan.Zero)) is not null);

                    StartLanes();
                }

                DrainCompletions();
                CommitIfDue(consumer);
                ApplyBackPressure(consumer);
            }

            if (_killed)
            {
                foreach (var state in _partitions.Values)
                {
                    CancelHandlers(state);
                }

                consumer.Dispose();
                _state = EventConsumerState.Stopped;
                Log.Killed(_logger, _groupId);
                return;
            }

            Shutdown(consumer);
        }
#pragma warning disable CA1031 // The poll loop must report any failure instead of dying silently.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _fatalError ??= ex;
            Log.PollLoopFailed(_logger, ex, _groupId);
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
            if (_fatalError is not null)
            {
                _state = EventConsumerState.Faulted;
            }
            else if (_state != EventConsumerState.Stopped)
            {
                _state = EventConsumerState.Stopped;
            }

            _finished.TrySetResult();
        }
    }

    private void Dispatch(IConsumer<byte[]?, byte[]?> consumer, ConsumeResult<byte[]?, byte[]?> record)
    {
        if (!_partitions.TryGetValue(record.TopicPartition, out var state))
        {
            return; // not ours any more; the new owner reads it
        }

        Interlocked.Increment(ref _received);
        state.Tracker.Add(record.Offset.Value);
        state.Dispatched++;
        Interlocked.Increment(ref _inFlight);
        var lanes = state.Lanes;
        var lane = lanes.Length == 1 ? lanes[0] : lanes[LaneOf(record.Message.Key, lanes.Length)];
        lane.Queue.Enqueue(record);
        if (Interlocked.CompareExchange(ref lane.Running, 1, 0) == 0)
        {
            _lanesToStart.Add(lane);
        }

    }

    /// <summary>
    /// When the bound has been reached for a while (handlers are slow, not merely a burst), pauses partitions holding
    /// half the bound on their own, so one partition's backlog (fetches come in per-partition chunks) cannot starve
    /// the others. Rare by design: librdkafka drops what it prefetched for a paused partition and fetches it again.
    /// </summary>
    private void PauseHogs(IConsumer<byte[]?, byte[]?> consumer)
    {
        foreach (var state in _partitions.Values)
        {
            if (state.InFlight >= _partitionCap && !state.Paused)
            {
                state.Paused = true;
                _pausedPartitions.Add(state);
                consumer.Pause([state.TopicPartition]);
            }
        }
    }

    private void StartLanes()
    {
        foreach (var lane in _lanesToStart)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Consumer.DrainLaneAsync(s.Lane), (Consumer: this, Lane: lane), preferLocal: false);
        }

        _lanesToStart.Clear();
    }

    private static int LaneOf(byte[]? key, int lanes)
    {
        if (key is null)
        {
            return 0;
        }

        var hash = 17u;
        foreach (var b in key)
        {
            hash = (hash * 31) + b;
        }

        return (int)(hash % (uint)lanes);
    }

    private async Task DrainLaneAsync(Lane lane)
    {
        // Marks everything the handlers of this lane call (StopAsync, Dispose) as coming from inside the consumer.
        _insideHandler.Value = true;
        var state = lane.Owner;
        while (true)
        {
            while (lane.Queue.TryDequeue(out var record))
            {
                if (state.Route.IsBatch)
                {
                    await ProcessBatchAsync(lane, record).ConfigureAwait(false);
                }
                else
                {
                    await ProcessRecordAsync(state, record).ConfigureAwait(false);
                }
            }

            Volatile.Write(ref lane.Running, 0);
            if (lane.Queue.IsEmpty || Interlocked.CompareExchange(ref lane.Running, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Takes one record through a concurrency slot and <see cref="ProcessAsync"/>. Never throws: whatever escapes the
    /// error policy (a bug, a disposed dependency) faults the consumer with the reason, and the record's completion is
    /// always posted, so no lane stops and no in-flight count leaks.
    /// </summary>
    private async Task ProcessRecordAsync(PartitionState state, ConsumeResult<byte[]?, byte[]?> record)
    {
        var done = false;
        try
        {
            if (state.Revoked || StopRequested)
            {
                return;
            }

            var token = state.Cancellation.Token;
            try
            {
                await _concurrency.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                // The partition may have gone while this record waited for a slot.
                done = !state.Revoked && !StopRequested && await ProcessAsync(state, record, token).ConfigureAwait(false);
            }
            finally
            {
                _concurrency.Release();
            }
        }
#pragma warning disable CA1031 // Nothing may escape a lane: it would stop the partition for good, unobserved.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            FailFromLane(record, ex);
        }
        finally
        {
            PostCompletion(state, record.Offset.Value, done);
        }
    }

    /// <summary>Stops the consumer because processing failed outside the handler's error policy.</summary>
    private void FailFromLane(ConsumeResult<byte[]?, byte[]?> record, Exception exception)
    {
        var error = exception as EventConsumerException ?? new EventConsumerException(
            $"The consumer stopped: processing {record.Topic}[{record.Partition.Value}]@{record.Offset.Value} failed outside the handler " +
            $"({exception.GetType().Name}: {exception.Message}); the record was not committed and will be redelivered.", exception);
        if (_finished.Task.IsCompleted)
        {
            Log.LaneFailedAfterStop(_logger, error, record.Topic, record.Partition.Value, record.Offset.Value);
            return;
        }

        if (Interlocked.CompareExchange(ref _fatalError, error, null) is null)
        {
            Log.LaneFailed(_logger, error, record.Topic, record.Partition.Value, record.Offset.Value);
        }

        RequestStop();
    }

    /// <summary>Handles one record: retries in place, then dead-letters. Returns false when it was dropped (cancelled).</summary>
    private async Task<bool> ProcessAsync(PartitionState state, ConsumeResult<byte[]?, byte[]?> record, CancellationToken token)
    {
        var route = state.Route;
        object context;
        try
        {
            context = route.CreateContext(record);
        }
        catch (DeserializationFailedException ex)
        {
            Interlocked.Increment(ref _failed);
            Log.DeserializationFailed(_logger, record.Topic, record.Partition.Value, record.Offset.Value, ex.InnerException?.GetType().Name ?? "?");
            return await DeadLetterAsync(record, ex.InnerException ?? ex, attempts: 0, token).ConfigureAwait(false);
        }

        for (var attempt = 1; ; attempt++)
        {
            route.SetAttempt(context, attempt);
            Exception error;
            try
            {
                await route.InvokeAsync(context, token).ConfigureAwait(false);
                Interlocked.Increment(ref _processed);
                return true;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return false;
            }
#pragma warning disable CA1031 // A handler may throw anything; the error policy decides.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ex;
            }

            Interlocked.Increment(ref _failed);
            if (attempt > _consumerOptions.MaxRetries || IsNonRetriable(error))
            {
                Log.GivingUp(_logger, error, record.Topic, record.Partition.Value, record.Offset.Value, attempt);
                return await DeadLetterAsync(record, error, attempt, token).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _retried);
            var delay = Backoff(attempt);
            Log.Retrying(_logger, record.Topic, record.Partition.Value, record.Offset.Value, attempt, delay.TotalMilliseconds, error.GetType().Name);
            try
            {
                await Task.Delay(delay, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private async Task ProcessBatchAsync(Lane lane, ConsumeResult<byte[]?, byte[]?> first)
    {
        var state = lane.Owner;
        var route = state.Route;
        var records = new List<ConsumeResult<byte[]?, byte[]?>>(route.BatchSize) { first };
        var outcomes = new bool[route.BatchSize];
        try
        {
            await HandleBatchAsync(lane, records, outcomes).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nothing may escape a lane: it would stop the partition for good, unobserved.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            FailFromLane(first, ex);
        }
        finally
        {
            for (var i = 0; i < records.Count; i++)
            {
                PostCompletion(state, records[i].Offset.Value, outcomes[i]);
            }
        }
    }

    /// <summary>Fills the batch, then handles it: retries in place, dead-letters; sets the outcome of each record.</summary>
    private async Task HandleBatchAsync(Lane lane, List<ConsumeResult<byte[]?, byte[]?>> records, bool[] outcomes)
    {
        var state = lane.Owner;
        var route = state.Route;
        var deadline = Stopwatch.GetTimestamp() + ToTicks(route.BatchTimeout);
        while (records.Count < route.BatchSize && !state.Revoked && !StopRequested)
        {
            if (lane.Queue.TryDequeue(out var next))
            {
                records.Add(next);
            }
            else if (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
            else
            {
                break;
            }
        }

        if (state.Revoked || StopRequested)
        {
            return;
        }

        var token = state.Cancellation.Token;
        try
        {
            await _concurrency.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            // Undeserializable records leave the batch for the DLQ at once; the rest are handled together.
            var contexts = new List<object>(records.Count);
            var indexes = new List<int>(records.Count);
            for (var i = 0; i < records.Count; i++)
            {
                try
                {
                    contexts.Add(route.CreateContext(records[i]));
                    indexes.Add(i);
                }
                catch (DeserializationFailedException ex)
                {
                    Interlocked.Increment(ref _failed);
                    outcomes[i] = await DeadLetterAsync(records[i], ex.InnerException ?? ex, 0, token).ConfigureAwait(false);
                }
            }

            for (var attempt = 1; contexts.Count > 0; attempt++)
            {
                contexts.ForEach(c => route.SetAttempt(c, attempt));
                Exception error;
                try
                {
                    await route.InvokeBatchAsync(contexts, token).ConfigureAwait(false);
                    Interlocked.Add(ref _processed, contexts.Count);
                    indexes.ForEach(i => outcomes[i] = true);
                    break;
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // A handler may throw anything; the error policy decides.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    error = ex;
                }

                Interlocked.Increment(ref _failed);
                if (attempt > _consumerOptions.MaxRetries || IsNonRetriable(error))
                {
                    foreach (var i in indexes)
                    {
                        outcomes[i] = await DeadLetterAsync(records[i], error, attempt, token).ConfigureAwait(false);
                    }

                    break;
                }

                Interlocked.Increment(ref _retried);
                try
                {
                    await Task.Delay(Backoff(attempt), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            _concurrency.Release();
        }
    }

    /// <summary>Publishes the record to the DLQ until that succeeds (or the partition goes away); then the error event.</summary>
    private async Task<bool> DeadLetterAsync(ConsumeResult<byte[]?, byte[]?> record, Exception error, int attempts, CancellationToken token)
    {
        for (var publishAttempt = 1; ; publishAttempt++)
        {
            try
            {
                var result = await _deadLetterProducer.Value
                    .PublishRawAsync(_deadLetterTopic, record.Message.Key, record.Message.Value, DeadLetterHeaders(record, error), token)
                    .ConfigureAwait(false);
                Interlocked.Increment(ref _deadLettered);
                Log.DeadLettered(_logger, record.Topic, record.Partition.Value, record.Offset.Value, result.Topic, result.Partition, result.Offset);
                break;
            }
            catch (EventPublishException ex)
            {
                Interlocked.Increment(ref _deadLetterFailures);
                Log.DeadLetterFailed(_logger, ex, record.Topic, record.Partition.Value, record.Offset.Value, publishAttempt);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return false;
            }
            catch (ObjectDisposedException ex)
            {
                throw DeadLetterProducerDisposed(ex);
            }

            try
            {
                await Task.Delay(Backoff(Math.Min(publishAttempt, 8)), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        if (_errorsTopic is not null)
        {
            await PublishErrorEventAsync(record, error, attempts, token).ConfigureAwait(false);
        }

        return true;
    }

    private async Task PublishErrorEventAsync(ConsumeResult<byte[]?, byte[]?> record, Exception error, int attempts, CancellationToken token)
    {
        var key = record.Message.Key is { } k ? Encoding.UTF8.GetString(k) : null;
        var errorEvent = new ErrorEvent(
            _options.Connection.ServiceName!, _groupId, record.Topic, record.Partition.Value, record.Offset.Value, key,
            error.GetType().FullName ?? error.GetType().Name, error.Message, attempts, _deadLetterTopic, DateTimeOffset.UtcNow);
        var headers = new Headers { { EventHeaderNames.ContentType, "application/json"u8.ToArray() } };
        try
        {
            await _deadLetterProducer.Value
                .PublishRawAsync(_errorsTopic!, record.Message.Key, JsonSerializer.SerializeToUtf8Bytes(errorEvent, EventBusJsonContext.Default.ErrorEvent), headers, token)
                .ConfigureAwait(false);
        }
        catch (EventPublishException ex)
        {
            // The record is safe in the DLQ; the error event is information, so its loss is logged, not retried.
            Log.ErrorEventFailed(_logger, ex, _errorsTopic!, record.Topic, record.Partition.Value, record.Offset.Value);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException ex)
        {
            throw DeadLetterProducerDisposed(ex);
        }
    }

    private static EventConsumerException DeadLetterProducerDisposed(ObjectDisposedException exception) => new(
        "The consumer stopped: its dead-letter producer was disposed while the consumer still ran. Dispose the consumer " +
        "before the producer it was given (WithDeadLetterProducer); the record was not committed and will be redelivered.", exception);

    private Headers DeadLetterHeaders(ConsumeResult<byte[]?, byte[]?> record, Exception error)
    {
        var headers = new Headers();
        if (record.Message.Headers is { } original)
        {
            foreach (var header in original)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }

        var partition = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(partition, record.Partition.Value);
        var offset = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(offset, record.Offset.Value);
        var timestamp = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(timestamp, record.Message.Timestamp.UnixTimestampMs);
        var stackTrace = Encoding.UTF8.GetBytes(error.ToString());
        if (stackTrace.Length > DeadLetterHeaderNames.MaxStackTraceBytes)
        {
            Array.Resize(ref stackTrace, DeadLetterHeaderNames.MaxStackTraceBytes);
        }

        headers.Add(DeadLetterHeaderNames.ExceptionFqcn, Encoding.UTF8.GetBytes(error.GetType().FullName ?? error.GetType().Name));
        headers.Add(DeadLetterHeaderNames.ExceptionMessage, Encoding.UTF8.GetBytes(error.Message));
        headers.Add(DeadLetterHeaderNames.ExceptionStackTrace, stackTrace);
        headers.Add(DeadLetterHeaderNames.OriginalTopic, Encoding.UTF8.GetBytes(record.Topic));
        headers.Add(DeadLetterHeaderNames.OriginalPartition, partition);
        headers.Add(DeadLetterHeaderNames.OriginalOffset, offset);
        headers.Add(DeadLetterHeaderNames.OriginalTimestamp, timestamp);
        headers.Add(DeadLetterHeaderNames.OriginalTimestampType, Encoding.UTF8.GetBytes(record.Message.Timestamp.Type == TimestampType.LogAppendTime ? "LogAppendTime" : "CreateTime"));
        headers.Add(DeadLetterHeaderNames.OriginalConsumerGroup, _groupIdBytes);
        return headers;
    }

    private bool IsNonRetriable(Exception error)
    {
        foreach (var type in _consumerOptions.NonRetriableExceptions)
        {
            if (type.IsInstanceOfType(error))
            {
                return true;
            }
        }

        return false;
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _consumerOptions.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, _consumerOptions.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (0.4 * Random.Shared.NextDouble())));
    }

    private void PostCompletion(PartitionState state, long offset, bool done)
    {
        _completions.Enqueue(new Completion(state, offset, done));
        if (_waitingForCompletions)
        {
            _completionSignal.Release();
        }
    }

    /// <summary>Applies finished records to the offset trackers. Poll thread only.</summary>
    private void DrainCompletions()
    {
        while (_completions.TryDequeue(out var completion))
        {
            Interlocked.Decrement(ref _inFlight);
            var state = completion.State;
            if (state.Removed)
            {
                continue;
            }

            state.Finished++;
            if (completion.Done)
            {
                state.Tracker.Complete(completion.Offset);
                _completedSinceCommit++;
            }
        }
    }

    private void CommitIfDue(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_completedSinceCommit == 0 && !_commitOwed)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (_commitOwed)
        {
            // A refused or failed commit is retried on its own, even if no record completes again (an idle
            // partition), but not more often than every CommitRetryDelay: no commit storm during a rebalance.
            if (now >= _commitRetryAt)
            {
                Commit(consumer, _partitions.Values);
            }

            return;
        }

        if (_consumerOptions.CommitMode == CommitMode.PerMessage
            || _completedSinceCommit >= _consumerOptions.CommitBatchSize
            || now >= _nextCommitDue)
        {
            Commit(consumer, _partitions.Values);
        }
    }

    /// <summary>
    /// Commits the highest contiguous completed offset of each given partition that moved. Poll thread only.
    /// Returns false when a rebalance refused the commit (the offsets are kept for the next one).
    /// </summary>
    private bool Commit(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<PartitionState> states)
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
        _nextCommitDue = Stopwatch.GetTimestamp() + ToTicks(_consumerOptions.CommitInterval);
        _commitOwed = false;
        if (offsets.Count == 0)
        {
            return true;
        }

        try
        {
            consumer.Commit(offsets);
            foreach (var (state, offset) in moved)
            {
                state.Committed = offset;
            }

            Interlocked.Increment(ref _commits);
            return true;
        }
        catch (KafkaException ex)
        {
            _commitOwed = true;
            _commitRetryAt = Stopwatch.GetTimestamp() + ToTicks(CommitRetryDelay);
            Interlocked.Increment(ref _commitFailures);
            var code = ex is TopicPartitionOffsetException tpoe
                ? tpoe.Results.FirstOrDefault(r => r.Error.IsError)?.Error.Code ?? ex.Error.Code
                : ex.Error.Code;
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

    internal static bool IsRebalanceError(ErrorCode code) => code is
        ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId
        or ErrorCode.Local_State or ErrorCode.Local_Fenced or ErrorCode.Local_AssignmentLost or ErrorCode.FencedInstanceId
        or ErrorCode.NotCoordinatorForGroup or ErrorCode.Local_NoOffset;

    private void ApplyBackPressure(IConsumer<byte[]?, byte[]?> consumer)
    {
        for (var i = _pausedPartitions.Count - 1; i >= 0; i--)
        {
            var state = _pausedPartitions[i];
            if (state.Removed || state.Revoked)
            {
                _pausedPartitions.RemoveAt(i);
            }
            else if (state.InFlight <= _maxInFlight / 4)
            {
                state.Paused = false;
                _pausedPartitions.RemoveAt(i);
                if (!_paused)
                {
                    consumer.Resume([state.TopicPartition]);
                }
            }
        }

        // Hard bound, for protection only: the soft bound keeps in-flight work near _maxInFlight.
        var inFlight = Interlocked.Read(ref _inFlight);
        if (!_paused && inFlight >= 2L * _maxInFlight)
        {
            _paused = true;
            _assignmentChanged = true;
            Volatile.Write(ref _pausedFlag, 1);
            Log.Paused(_logger, inFlight, _maxInFlight);
        }
        else if (_paused && inFlight <= _maxInFlight)
        {
            _paused = false;
            Volatile.Write(ref _pausedFlag, 0);
            var pausedOnTheirOwn = _pausedPartitions.Select(p => p.TopicPartition).ToHashSet();
            consumer.Resume(consumer.Assignment.Where(tp => !pausedOnTheirOwn.Contains(tp)).ToList());
            Log.Resumed(_logger, inFlight);
        }

        if (_paused && _assignmentChanged)
        {
            // Pausing drops what librdkafka prefetched; fetching restarts from the position after the last record we took.
            _assignmentChanged = false;
            consumer.Pause(consumer.Assignment);
        }
    }

    private void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        var lanes = _consumerOptions.Ordering == OrderingMode.Key ? _consumerOptions.MaxConcurrency : 1;
        foreach (var tp in partitions)
        {
            if (_routes.TryGetValue(tp.Topic, out var route))
            {
                _partitions[tp] = new PartitionState(tp, route, lanes);
            }
        }

        _assignmentChanged = true;
        Interlocked.Increment(ref _rebalances);
        Volatile.Write(ref _assignedCount, _partitions.Count);
        UpdatePartitionCap();
        Log.Assigned(_logger, _groupId, partitions.Count, Describe(partitions));
        InvokeCallback(_consumerOptions.PartitionsAssigned, partitions, nameof(EventConsumerOptions.PartitionsAssigned));
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> revoked)
    {
        // Records of this poll's burst may sit in lanes not started yet: start them, or the wait below would wait for nothing.
        StartLanes();
        var states = Take(revoked.Select(r => r.TopicPartition));
        states.ForEach(s => s.Revoked = true);
        if (!_killed)
        {
            // While stopping, the drain already waited (and cancelled what ran too long): do not wait again.
            var drained = WaitForInFlight(states, _draining ? TimeSpan.Zero : _consumerOptions.RevokeTimeout);
            Commit(consumer, states);
            if (!drained)
            {
                Log.RevokeTimedOut(_logger, _consumerOptions.RevokeTimeout.TotalSeconds, states.Sum(s => s.InFlight));
            }
        }

        Release(consumer, states);
        Interlocked.Increment(ref _rebalances);
        Log.Revoked(_logger, _groupId, revoked.Count, Describe(revoked.Select(r => r.TopicPartition)));
        InvokeCallback(_consumerOptions.PartitionsRevoked, revoked.Select(r => r.TopicPartition).ToList(), nameof(EventConsumerOptions.PartitionsRevoked));
    }

    private void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> lost)
    {
        StartLanes();
        var states = Take(lost.Select(r => r.TopicPartition));
        states.ForEach(s => s.Revoked = true);
        Release(consumer, states);
        Interlocked.Increment(ref _rebalances);
        Log.Lost(_logger, _groupId, lost.Count, Describe(lost.Select(r => r.TopicPartition)));
        InvokeCallback(_consumerOptions.PartitionsLost, lost.Select(r => r.TopicPartition).ToList(), nameof(EventConsumerOptions.PartitionsLost));
    }

    /// <summary>Calls a service's partition callback; what it throws is logged, never allowed to stop the consumer.</summary>
    private void InvokeCallback(Action<IReadOnlyList<TopicPartition>>? callback, List<TopicPartition> partitions, string name)
    {
        try
        {
            callback?.Invoke(partitions);
        }
#pragma warning disable CA1031 // A service's callback may throw anything; the consumer must keep its assignment consistent.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CallbackFailed(_logger, ex, name, _groupId);
        }
    }

    /// <summary>
    /// Cancels the handlers of a partition. Callbacks registered on their token run on the thread pool, not on the
    /// calling (poll) thread: one that throws or blocks cannot stop the consumer.
    /// </summary>
    private void CancelHandlers(PartitionState state) =>
        _ = state.Cancellation.CancelAsync().ContinueWith(
            static (t, c) => Log.CancellationCallbackFailed(((EventConsumer)c!)._logger, t.Exception!),
            this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private List<PartitionState> Take(IEnumerable<TopicPartition> partitions)
    {
        var states = new List<PartitionState>();
        foreach (var tp in partitions)
        {
            if (_partitions.Remove(tp, out var state))
            {
                states.Add(state);
            }
        }

        Volatile.Write(ref _assignedCount, _partitions.Count);
        UpdatePartitionCap();
        return states;
    }

    private void UpdatePartitionCap() => _partitionCap = _partitions.Count > 1 ? Math.Max(1, _maxInFlight / 2) : int.MaxValue;

    /// <summary>In-flight records of partitions not paused on their own. Poll thread only.</summary>
    private long ActiveInFlight()
    {
        var inFlight = Interlocked.Read(ref _inFlight);
        foreach (var state in _pausedPartitions)
        {
            inFlight -= state.InFlight;
        }

        return inFlight;
    }

    /// <summary>Waits until a handler finishes or the timeout passes. Poll thread only.</summary>
    private void WaitForCompletion(TimeSpan timeout)
    {
        _waitingForCompletions = true;
        try
        {
            if (_completions.IsEmpty)
            {
                _completionSignal.Wait(timeout);
            }
        }
        finally
        {
            _waitingForCompletions = false;
        }
    }

    /// <summary>Cancels what still runs on the partitions and ignores their late completions.</summary>
    private void Release(IConsumer<byte[]?, byte[]?> consumer, List<PartitionState> states)
    {
        DrainCompletions();

        // librdkafka remembers a pause across unassign and reassign: clear it, or a partition that comes back later
        // would stay paused for good.
        var paused = states.Where(s => s.Paused || _paused).Select(s => s.TopicPartition).ToList();
        if (paused.Count > 0)
        {
            try
            {
                consumer.Resume(paused);
            }
            catch (KafkaException)
            {
                // Already unassigned: nothing to clear.
            }
        }

        _pausedPartitions.RemoveAll(p => states.Contains(p));
        foreach (var state in states)
        {
            // The token source is never disposed: a lane may still read its token (it is linked to nothing, so
            // leaving it to the GC leaks nothing).
            CancelHandlers(state);
            state.Removed = true;
        }
    }

    /// <summary>Waits until the partitions have nothing in flight, applying completions meanwhile. Poll thread only.</summary>
    private bool WaitForInFlight(IReadOnlyCollection<PartitionState> states, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + ToTicks(timeout);
        _waitingForCompletions = true;
        try
        {
            while (true)
            {
                DrainCompletions();
                if (states.All(s => s.InFlight == 0))
                {
                    return true;
                }

                var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero)
                {
                    return false;
                }

                _completionSignal.Wait(remaining < TimeSpan.FromMilliseconds(100) ? remaining : TimeSpan.FromMilliseconds(100));
            }
        }
        finally
        {
            _waitingForCompletions = false;
        }
    }

    private void Shutdown(IConsumer<byte[]?, byte[]?> consumer)
    {
        _state = EventConsumerState.Stopping;
        var started = Stopwatch.GetTimestamp();
        _draining = true;
        var owned = _partitions.Values.ToList();
        Log.Stopping(_logger, _groupId, Interlocked.Read(ref _inFlight));
        long closeDeadline;
        if (!WaitForInFlight(owned, _consumerOptions.ShutdownTimeout))
        {
            Log.ShutdownTimedOut(_logger, _consumerOptions.ShutdownTimeout.TotalSeconds, Interlocked.Read(ref _inFlight));
            owned.ForEach(CancelHandlers);

            // A short grace for the cancelled handlers, out of the close budget: a stop never exceeds
            // ShutdownTimeout + CloseTimeout.
            closeDeadline = Stopwatch.GetTimestamp() + ToTicks(_consumerOptions.CloseTimeout);
            WaitForInFlight(owned, TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, _consumerOptions.CloseTimeout.Ticks / 4)));
        }
        else
        {
            closeDeadline = Stopwatch.GetTimestamp() + ToTicks(_consumerOptions.CloseTimeout);
        }

        // Commit and leave the group off this thread, bounded: with the broker gone either could block.
        var close = Task.Run(() =>
        {
            // Partition callbacks run on this thread during Close: a stop or dispose they call must not wait for it.
            _closeThreadId = Environment.CurrentManagedThreadId;
            try
            {
                // A rebalance (another member joining or leaving) refuses commits until it completes: keep polling so
                // it completes (records it hands out are dropped: we are draining), then commit again. Only partitions
                // still owned are committed: one revoked or lost meanwhile may already have moved on at its new owner.
                while (!Commit(consumer, _partitions.Values.ToList()) && Stopwatch.GetTimestamp() < closeDeadline)
                {
                    // A record handed out now is not dispatched: it stays uncommitted and is redelivered.
                    _ = consumer.Consume(TimeSpan.FromMilliseconds(100));

                    DrainCompletions();
                }

                consumer.Close();
            }
            finally
            {
                _closeThreadId = -1;
            }
        });
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), closeDeadline);
        if (close.Wait(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero))
        {
            consumer.Dispose();
            Log.Stopped(_logger, _groupId, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        else
        {
            Log.CloseTimedOut(_logger, _consumerOptions.CloseTimeout.TotalSeconds);
            _ = close.ContinueWith(static (_, c) => ((IConsumer<byte[]?, byte[]?>)c!).Dispose(), consumer, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        foreach (var state in owned)
        {
            state.Removed = true;
        }

        _state = EventConsumerState.Stopped;
    }

    private void OnConsumeError(Error error)
    {
        if (error.IsFatal)
        {
            Fail(error);
            return;
        }

        OnError(_consumer!, error);
    }

    private void OnError(IConsumer<byte[]?, byte[]?> consumer, Error error)
    {
        if (error.IsFatal)
        {
            Fail(error);
            return;
        }

        switch (error.Code)
        {
            case ErrorCode.Local_PartitionEOF:
                return;
            case ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.InconsistentGroupProtocol or ErrorCode.Local_UnknownPartition:
                Log.ConsumerWarning(_logger, error.Code.ToString(), error.Reason);
                return;
            default:
                Log.ConsumerError(_logger, error.Code.ToString(), error.Reason);
                return;
        }
    }

    private void Fail(Error error)
    {
        _fatalError ??= new EventConsumerException(error);
        Log.Fatal(_logger, _groupId, error.Code.ToString(), error.Reason);
        RequestStop();
    }

    private void OnLog(IConsumer<byte[]?, byte[]?> consumer, LogMessage message)
    {
        var level = (LogLevel)message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);
        if (_logger.IsEnabled(level))
        {
            Log.Librdkafka(_logger, level, message.Name, message.Facility, message.Message);
        }
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(",", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
