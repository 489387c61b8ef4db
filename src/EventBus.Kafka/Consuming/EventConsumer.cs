using EventBus.Kafka.Configuration;
using EventBus.Kafka.Diagnostics;
using EventBus.Kafka.Consuming.ExactlyOnce;
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
/// <para>With <see cref="EventConsumerOptions.ExactlyOnce"/>, what handlers publish through
/// <see cref="EventContext{T}.Producer"/>, their dead-letter records and the completed offsets commit in one Kafka
/// transaction per commit cycle instead (read_committed readers see each output once); see the README, "Exactly-once".</para>
/// <para>Inside, data flows one way: the poll loop (<c>ConsumerPollLoop</c>, which alone owns the Confluent consumer)
/// → the dispatcher and its lanes (<c>RecordDispatcher</c>) → the record and batch processors → the dead-letter
/// publisher → the completion queue → the offset committer. This type is the facade.</para>
/// </remarks>
public sealed class EventConsumer : IDisposable, IAsyncDisposable
{
    private readonly string _groupId;
    private readonly IReadOnlyCollection<string> _topics;
    private readonly int _maxConcurrency;
    private readonly int _maxInFlight;
    private readonly ILogger _logger;
    private readonly Lazy<EventProducer> _deadLetterProducer;
    private readonly bool _ownsDeadLetterProducer;
    private readonly ConsumerLifetime _lifetime = new();
    private readonly ConsumerCallContext _callContext = new();
    private readonly ConsumerCounters _counters = new();
    private readonly ConsumerPollLoop _pollLoop;
    private readonly KafkaClientMonitor _monitor;
    private readonly TransactionCoordinator? _transactions;
    private readonly ConsumerTelemetry _telemetry;
    private readonly object _lifecycle = new();
    private int _disposed;

    internal EventConsumer(
        EventBusOptions options,
        EventConsumerOptions consumerOptions,
        IReadOnlyList<ConsumerRoute> routes,
        EventProducer? deadLetterProducer,
        ILoggerFactory? loggerFactory,
        ConsumerClientFactory? clientFactory = null,
        IEventSerializer? serializer = null)
    {
        EventBusOptionsValidator.ThrowIfInvalid(options, EventBusClientKinds.Consumer);
        consumerOptions.Validate();
        if (routes.Count == 0)
        {
            throw new ArgumentException("Add at least one handler before building the consumer.", nameof(routes));
        }

        _logger = loggerFactory?.CreateLogger<EventConsumer>() ?? (ILogger)NullLogger.Instance;
        ConfigurationLog.WarningsOnce(_logger, options);
        _groupId = options.Consumer.GroupId!;
        _telemetry = new ConsumerTelemetry(_groupId);
        if (consumerOptions.ExactlyOnce)
        {
            // Exactly-once: handlers publish into per-record buffers that commit with the offsets (see TransactionCoordinator).
            _counters.Transactions = new TransactionCounters();
            _transactions = new TransactionCoordinator(
                options,
                TimeSpan.FromTicks(Math.Clamp(consumerOptions.CloseTimeout.Ticks, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond)),
                _groupId, serializer ?? JsonEventSerializer.CreateDefault(), _counters.Transactions, _logger);
            routes = routes.Select(r => TransactionalRoute.Wrap(r, _transactions)).ToList();
        }

        var routesByTopic = routes.ToDictionary(r => r.Topic, StringComparer.Ordinal);
        _topics = routesByTopic.Keys;
        _maxConcurrency = consumerOptions.MaxConcurrency;
        _maxInFlight = options.Consumer.MaxPollRecords;
        _ownsDeadLetterProducer = deadLetterProducer is null;
        _deadLetterProducer = deadLetterProducer is null
            ? new Lazy<EventProducer>(() => new EventProducer(options, loggerFactory?.CreateLogger<EventProducer>()), LazyThreadSafetyMode.ExecutionAndPublication)
            : new Lazy<EventProducer>(deadLetterProducer);

        // The parts, wired in the direction data flows (see the remarks).
        var retry = new RetryPolicy(consumerOptions);
        var deadLetters = new DeadLetterPublisher(
            _transactions is { } transactions
                ? transactions.BufferRawAsync
                : (_, topic, key, value, headers, ct) => _deadLetterProducer.Value.PublishRawAsync(topic, key, value, headers, ct),
            options.Connection.ServiceName!,
            _groupId,
            options.Topics.GetTopicName(consumerOptions.DeadLetterTopicKey),
            options.Topics.TryGetTopicName(consumerOptions.ErrorsTopicKey, out var errors) ? errors : null,
            retry,
            _counters,
            _logger,
            _telemetry);
        var committer = _transactions is null
            ? new OffsetCommitter(consumerOptions, _counters, _logger, telemetry: _telemetry)
            : new OffsetCommitter(consumerOptions.ForTransactions(), _counters, _logger, telemetry: _telemetry) { CommitOverride = _transactions.Commit };
        var completions = new CompletionQueue(committer, _counters);
        var concurrency = new SemaphoreSlim(consumerOptions.MaxConcurrency, consumerOptions.MaxConcurrency);
        var dispatcher = new RecordDispatcher(
            new RecordProcessor(concurrency, retry, deadLetters, completions, _lifetime, _counters, _logger, _telemetry),
            new BatchProcessor(concurrency, retry, deadLetters, completions, _lifetime, _counters, _logger, _telemetry),
            _callContext,
            _counters);
        var backPressure = new BackPressure(_maxInFlight, _counters, _logger);
        _monitor = new KafkaClientMonitor(KafkaConsumerClient.Diagnosis(options, _groupId, _topics), _groupId, _logger,
            static (l, level, name, facility, text) => Log.Librdkafka(l, level, name, facility, text));
        var assignments = new PartitionAssignments(routesByTopic, consumerOptions, _groupId, dispatcher, completions, committer, backPressure, _lifetime, _counters, _logger, _telemetry, _transactions);
        _transactions?.BindRestart(assignments.Restart);
        _pollLoop = new ConsumerPollLoop(
            consumerOptions, options.Consumer.MaxPollIntervalMs, _groupId, _topics, clientFactory ?? KafkaConsumerClient.Factory(options, _logger, _telemetry),
            assignments, dispatcher, completions, committer, backPressure, _lifetime, _callContext, _counters, _monitor, _logger);
    }

    /// <summary>Gets the lifecycle state.</summary>
    public EventConsumerState State => _lifetime.State;

    /// <summary>Gets the error that stopped the consumer, when <see cref="State"/> is <see cref="EventConsumerState.Faulted"/>.</summary>
    public Exception? FatalError => _lifetime.FatalError;

    /// <summary>
    /// Gets the health of the consumer's connection to Kafka (its lifecycle is <see cref="State"/>):
    /// <see cref="KafkaHealthStatus.Degraded"/> with the diagnosis (unreachable, TLS, authentication, a refused group or
    /// topic) and since when while the consumer runs but cannot consume; back to healthy by itself once partitions are
    /// assigned or records arrive. <see cref="KafkaHealthStatus.Failed"/> once <see cref="EventConsumerState.Faulted"/>,
    /// <see cref="KafkaHealthStatus.Closed"/> once stopped. The last error and when it was seen stay after recovery.
    /// </summary>
    public KafkaClientHealth Health
    {
        get
        {
            var health = _monitor.GetHealth();
            return _lifetime.State switch
            {
                EventConsumerState.Faulted when health.Status != KafkaHealthStatus.Failed =>
                    health with { Status = KafkaHealthStatus.Failed, Diagnosis = health.Diagnosis ?? (FatalError is { } fatal ? KafkaDiagnosis.FromException(fatal) : null) },
                EventConsumerState.Stopped when health.Status is KafkaHealthStatus.Healthy or KafkaHealthStatus.Degraded =>
                    health with { Status = KafkaHealthStatus.Closed, Diagnosis = null },
                _ => health,
            };
        }
    }

    /// <summary>Gets the consumer group.</summary>
    public string GroupId => _groupId;

    /// <summary>Gets the topics the consumer subscribes to.</summary>
    public IReadOnlyCollection<string> Topics => _topics;

    /// <summary>Starts polling on a dedicated thread and returns at once. Stop with <see cref="StopAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">The consumer was already started.</exception>
    public void Start()
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_lifetime.State != EventConsumerState.Created)
            {
                throw new InvalidOperationException($"The consumer was already started (state {_lifetime.State}); build a new one to consume again.");
            }

            // Running before the poll thread starts: a consumer that faults at once must not have its Faulted state
            // overwritten by this line afterwards (and then look Running for good).
            _lifetime.State = EventConsumerState.Running;
            _telemetry.Start();
            _pollLoop.Start();
            Log.Started(_logger, _groupId, string.Join(",", _topics), _maxConcurrency, _maxInFlight);
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
        using (cancellationToken.Register(static s => ((ConsumerLifetime)s!).RequestStop(), _lifetime))
        {
            await _lifetime.Finished.ConfigureAwait(false);
        }

        _lifetime.ThrowIfFaulted();
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
            if (_lifetime.State == EventConsumerState.Created)
            {
                _lifetime.State = EventConsumerState.Stopped;
                _lifetime.MarkFinished();
            }
        }

        _lifetime.RequestStop();
        if (_callContext.IsInsideConsumer)
        {
            // A handler or a partition callback cannot wait for a stop that waits for it: the stop goes on once it returns.
            return;
        }

        await _lifetime.Finished.WaitAsync(cancellationToken).ConfigureAwait(false);
        _lifetime.ThrowIfFaulted();
    }

    /// <summary>Gets a snapshot of the counters and health.</summary>
    /// <returns>The statistics.</returns>
    public EventConsumerStatistics GetStatistics() => _counters.Snapshot(_lifetime.State, Health);

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

        if (_callContext.IsInsideConsumer)
        {
            // From a handler or a partition callback: stop, and release once stopped (waiting here would deadlock).
            await StopAsync().ConfigureAwait(false);
            _ = _lifetime.Finished.ContinueWith(static (_, c) => ((EventConsumer)c!).ReleaseResourcesAsync(), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
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

    /// <summary>
    /// Simulates a crash, for tests: the poll thread stops and the Confluent consumer is destroyed without committing
    /// or leaving the group. In-flight handlers are cancelled and their results ignored.
    /// </summary>
    internal async Task KillAsync()
    {
        _lifetime.Kill();
        await _lifetime.Finished.ConfigureAwait(false);
    }

    private async Task ReleaseResourcesAsync()
    {
        _transactions?.Dispose();
        if (_ownsDeadLetterProducer && _deadLetterProducer.IsValueCreated)
        {
            await _deadLetterProducer.Value.DisposeAsync().ConfigureAwait(false);
        }

        _telemetry.Dispose();
        _lifetime.Dispose();
    }
}
