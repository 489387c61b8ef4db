using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>Starts an owned partition over at an offset (its state replaced, fetching sought back); false when it is not owned.</summary>
/// <param name="consumer">The consumer.</param>
/// <param name="partition">The partition.</param>
/// <param name="offset">Where to read from again.</param>
/// <returns>Whether the partition was owned and restarted.</returns>
internal delegate bool PartitionRestart(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, long offset);

/// <summary>
/// Exactly-once read-process-write. Handlers' publishes, dead-letter and error records are held per input record
/// (<see cref="PartitionOutputs"/>) until the record completes; each commit cycle (the offset committer's commit, on
/// the poll thread) takes, per partition, what the records below the committable offset published, produces it in
/// offset order into the partition's transaction, sends the offset to the same transaction and commits it. So a
/// record's outputs and its offset become visible together or not at all, and handlers never wait for a cycle.
/// </summary>
/// <remarks>
/// <para>Per partition a transactional producer (<see cref="TransactionPath.ProducerPerPartition"/>, brokers before 2.5):
/// created and initialized on assignment — which fences the previous owner and completes its open transaction before
/// the consumer reads the committed offset — and disposed on revocation, after the revocation's commit.</para>
/// <para>On 2.5 and later (<see cref="TransactionPath.GroupMetadata"/>) one producer serves every partition and the group
/// metadata sent with the offsets fences a zombie.</para>
/// <para>A transaction that does not commit (aborted, fenced, fatal) is never half visible: its partitions start over
/// at the last committed offset and their records are handled again.</para>
/// </remarks>
internal sealed class TransactionCoordinator : IDisposable
{
    private static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(60);
    private readonly TimeSpan _commitTimeout;
    private readonly EventBusOptions _options;
    private readonly string _groupId;
    private readonly string _prefix;
    private readonly TransactionCounters _counters;
    private readonly ILogger _logger;
    private readonly TransactionPath? _forcedPath;
    private readonly RecordBuilder _builder;
    private readonly ConcurrentDictionary<TopicPartition, PartitionOutputs> _outputs = new();
    private readonly Dictionary<TopicPartition, TransactionalProducer> _producers = [];
    private readonly Dictionary<TopicPartition, long> _committed = [];
    private readonly object _gate = new();
    private TransactionalProducer? _shared;
    private IConsumer<byte[]?, byte[]?>? _consumer;
    private TransactionPath? _path;
    private PartitionRestart _restart = static (_, _, _) => false;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="TransactionCoordinator"/> class.</summary>
    /// <param name="options">The options (connection and producer settings of the transactional producers).</param>
    /// <param name="commitTimeout">The bound of one transaction's commit (then it is aborted): keeps a stop within its bound.</param>
    /// <param name="groupId">The group (part of every transactional id).</param>
    /// <param name="serializer">The serializer of what handlers publish.</param>
    /// <param name="counters">The exactly-once counters.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="forcedPath">A path to use whatever the brokers' version (tests).</param>
    public TransactionCoordinator(EventBusOptions options, TimeSpan commitTimeout, string groupId, IEventSerializer serializer, TransactionCounters counters, ILogger logger, TransactionPath? forcedPath = null)
    {
        _options = options;
        _commitTimeout = commitTimeout;
        _groupId = groupId;
        _prefix = options.Connection.ServiceName!.Trim();
        _counters = counters;
        _logger = logger;
        _forcedPath = forcedPath;
        _builder = new RecordBuilder(options, serializer);
    }

    /// <summary>Gets the topic options (what handlers publish to is named by key).</summary>
    public KafkaTopicOptions Topics => _options.Topics;

    /// <summary>Binds the restart of a partition (the partition assignments own the partition states).</summary>
    /// <param name="restart">Restarts a partition.</param>
    public void BindRestart(PartitionRestart restart) => _restart = restart;

    /// <summary>The transactional id of a partition's producer (per-partition path): stable per service, group, topic and partition.</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>The id.</returns>
    public string TransactionalIdOf(TopicPartition partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{_groupId}-{partition.Topic}-{partition.Partition.Value}");

    /// <summary>Creates the producer a handler's context publishes through.</summary>
    /// <returns>The publisher.</returns>
    public TransactionalPublisher CreatePublisher() => new(_options.Topics, _builder, Statistics);

    /// <summary>
    /// Partitions were assigned (inside the rebalance callback, before the consumer reads their committed offsets): their
    /// producers are initialized, fencing the previous owner's. Poll thread.
    /// </summary>
    /// <param name="consumer">The consumer.</param>
    /// <param name="partitions">The partitions.</param>
    /// <exception cref="EventConsumerException">Transactions could not be initialized: the consumer stops.</exception>
    public void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyCollection<TopicPartition> partitions)
    {
        _consumer = consumer;
        if (_path is null)
        {
            string version, why;
            TransactionPath path;
            if (_forcedPath is { } forced)
            {
                (path, version, why) = (forced, "not read", "chosen by the caller");
            }
            else
            {
                path = BrokerVersionProbe.Detect(consumer.Handle, out version, out why);
            }

            _path = path;
            Volatile.Write(ref _counters.Path, (int)path);
            Log.PathChosen(_logger, _groupId, path.ToString(), version, why);
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var created = new List<TransactionalProducer>();
            if (_path == TransactionPath.GroupMetadata)
            {
                if (_shared is null)
                {
                    _shared = new TransactionalProducer(_options, $"{_prefix}-{_groupId}-{Guid.NewGuid():N}", InitTimeout, _commitTimeout, _logger);
                    created.Add(_shared);
                }
            }
            else
            {
                foreach (var tp in partitions)
                {
                    var producer = new TransactionalProducer(_options, TransactionalIdOf(tp), InitTimeout, _commitTimeout, _logger);
                    _producers[tp] = producer;
                    created.Add(producer);
                }
            }

            try
            {
                // In parallel: each InitTransactions waits for its id's previous transaction to be completed.
                Task.WaitAll(created.Select(p => Task.Run(p.Initialize)).ToArray());
            }
            catch (AggregateException ex) when (ex.InnerException is KafkaException kafka)
            {
                throw new EventConsumerException(
                    $"The consumer stopped: its transactional producers could not be initialized ({kafka.Error.Code}: {kafka.Error.Reason}); " +
                    "exactly-once needs the transaction coordinator (a broker with transactions, transaction.state.log replicas in sync, " +
                    "and Write and Describe on the transactional ids). Nothing was committed.", kafka);
            }

            foreach (var tp in partitions)
            {
                _outputs[tp] = new PartitionOutputs(tp, _counters);
                _committed.Remove(tp);
            }

            Volatile.Write(ref _counters.Producers, _producers.Count + (_shared is null ? 0 : 1));
        }
    }

    /// <summary>Partitions went away (revoked after their commit, or lost): what their records published and did not commit is dropped; their producers closed. Poll thread.</summary>
    /// <param name="partitions">The partitions.</param>
    public void OnRemoved(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var tp in partitions)
            {
                if (_outputs.TryRemove(tp, out var outputs))
                {
                    outputs.Close();
                }

                if (_producers.Remove(tp, out var producer))
                {
                    producer.Dispose();
                }

                _committed.Remove(tp);
            }

            Volatile.Write(ref _counters.Producers, _producers.Count + (_shared is null ? 0 : 1));
        }
    }

    /// <summary>Notes an input record of the current generation of its partition.</summary>
    /// <param name="record">The record.</param>
    public void Observe(ConsumeResult<byte[]?, byte[]?> record)
    {
        if (_outputs.TryGetValue(record.TopicPartition, out var outputs))
        {
            outputs.Observe(record.Offset.Value);
        }
    }

    /// <summary>
    /// A record completed (its handler succeeded, or it was dead-lettered): what it published joins its partition's
    /// outputs, to be produced with its offset. Workers.
    /// </summary>
    /// <param name="record">The input record.</param>
    /// <param name="records">What it published.</param>
    /// <param name="token">The partition's handler token (cancelled once it went away).</param>
    /// <exception cref="OperationCanceledException">The partition went away: the record is dropped with what it published, and redelivered.</exception>
    public void Complete(ConsumeResult<byte[]?, byte[]?> record, IReadOnlyCollection<OutgoingRecord> records, CancellationToken token)
    {
        // The lookup comes first: a partition's token is cancelled before a new generation of it is registered, so a
        // record of an old generation either finds its own (closed) outputs or sees its token cancelled.
        var found = _outputs.TryGetValue(record.TopicPartition, out var outputs);
        if (token.IsCancellationRequested || !found || !outputs!.TryAdd(record.Offset.Value, records))
        {
            Log.OutputDropped(_logger, record.Topic, record.Partition.Value, record.Offset.Value);
            throw new OperationCanceledException(token);
        }
    }

    /// <summary>The dead-letter path's publish in exactly-once mode: the dead-letter or error record joins the input record's outputs.</summary>
    /// <param name="source">The input record.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="headers">The headers (standard ones are added where absent).</param>
    /// <param name="token">The partition's handler token.</param>
    /// <returns>Where it will be written: no partition or offset yet.</returns>
    public Task<PublishResult> BufferRawAsync(ConsumeResult<byte[]?, byte[]?> source, string topic, byte[]? key, byte[]? value, Headers headers, CancellationToken token)
    {
        var messageId = _builder.AddStandardHeaders(headers, null, null);
        Complete(source, [new OutgoingRecord(topic, new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = headers })], token);
        return Task.FromResult(new PublishResult(topic, Partition.Any.Value, Offset.Unset.Value, DateTimeOffset.UtcNow, messageId));
    }

    /// <summary>
    /// One commit cycle (bound as the offset committer's commit; poll thread): per transactional producer, the records
    /// published below the committable offsets, then the offsets, in one transaction. A transaction that does not commit
    /// restarts its partitions; nothing is thrown, so the committer records the cycle as done.
    /// </summary>
    /// <param name="offsets">The committable offset of each partition that moved.</param>
    public void Commit(List<TopicPartitionOffset> offsets)
    {
        var started = Stopwatch.GetTimestamp();
        var consumer = _consumer ?? throw new InvalidOperationException("Commit before any assignment.");
        var group = consumer.ConsumerGroupMetadata;
        var work = new List<(TransactionalProducer Producer, List<TopicPartitionOffset> Offsets, List<OutgoingRecord> Records)>();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var unit in offsets.GroupBy(o => ProducerOf(o.TopicPartition)))
            {
                if (unit.Key is null)
                {
                    continue; // not owned any more: nothing to commit for it
                }

                var records = new List<OutgoingRecord>();
                foreach (var offset in unit)
                {
                    if (_outputs.TryGetValue(offset.TopicPartition, out var outputs))
                    {
                        records.AddRange(outputs.TakeBelow(offset.Offset.Value));
                    }
                }

                work.Add((unit.Key, unit.ToList(), records));
            }

            // The producers commit in parallel; each waits for its own transaction only.
            var outcomes = new (TransactionOutcome Outcome, Error? Error)[work.Count];
            if (work.Count == 1)
            {
                outcomes[0] = (work[0].Producer.Commit(work[0].Records, work[0].Offsets, group, out var error), error);
            }
            else
            {
                Parallel.For(0, work.Count, i => outcomes[i] = (work[i].Producer.Commit(work[i].Records, work[i].Offsets, group, out var error), error));
            }

            for (var i = 0; i < work.Count; i++)
            {
                var (producer, unitOffsets, unitRecords) = work[i];
                var (outcome, error) = outcomes[i];
                if (outcome == TransactionOutcome.Committed)
                {
                    Interlocked.Increment(ref _counters.Committed);
                    Interlocked.Add(ref _counters.OutputsCommitted, unitRecords.Count);
                    TransactionTelemetry.Ended(_groupId, "committed");
                    unitOffsets.ForEach(o => _committed[o.TopicPartition] = o.Offset.Value);
                    continue;
                }

                var partitions = _path == TransactionPath.GroupMetadata ? _outputs.Keys.ToList() : unitOffsets.Select(o => o.TopicPartition).ToList();
                var described = string.Join(",", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));
                if (outcome == TransactionOutcome.Fenced)
                {
                    Interlocked.Increment(ref _counters.Fenced);
                    TransactionTelemetry.Ended(_groupId, "fenced");
                    Log.Fenced(_logger, producer.TransactionalId, error?.Code.ToString() ?? "?", error?.Reason ?? "?", described);
                }
                else
                {
                    Log.Aborted(_logger, producer.TransactionalId, error?.Code.ToString() ?? "?", error?.Reason ?? "?", described);
                    TransactionTelemetry.Ended(_groupId, "aborted");
                }

                Interlocked.Increment(ref _counters.Aborted);
                Interlocked.Add(ref _counters.OutputsAborted, unitRecords.Count);
                Volatile.Write(ref _counters.LastError, $"transaction {outcome.ToString().ToLowerInvariant()} ({error?.Code.ToString() ?? "?"}: {error?.Reason ?? "?"}); its records are handled again");
                Interlocked.Exchange(ref _counters.LastErrorAtTicks, DateTimeOffset.UtcNow.UtcTicks);
                partitions.ForEach(p => Restart(consumer, p));
            }
        }

        var elapsed = Stopwatch.GetTimestamp() - started;
        _counters.CycleDone(elapsed);
        TransactionTelemetry.Cycle(_groupId, elapsed);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var outputs in _outputs.Values)
            {
                outputs.Close();
            }

            foreach (var producer in _producers.Values)
            {
                producer.Dispose();
            }

            _producers.Clear();
            _shared?.Dispose();
            Volatile.Write(ref _counters.Producers, 0);
        }
    }

    private TransactionalProducer? ProducerOf(TopicPartition partition) =>
        _path == TransactionPath.GroupMetadata ? (_outputs.ContainsKey(partition) ? _shared : null) : _producers.GetValueOrDefault(partition);

    /// <summary>
    /// Starts a partition over after its transaction did not commit: at the highest of the offset this consumer last
    /// committed and the group's committed offset on the broker (another instance may have committed since, if this one
    /// was a zombie), else where this generation began.
    /// </summary>
    private void Restart(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition)
    {
        if (!_outputs.TryGetValue(partition, out var old))
        {
            return;
        }

        var offset = _committed.GetValueOrDefault(partition, -1);
        try
        {
            var committed = consumer.Committed([partition], TimeSpan.FromSeconds(10)).FirstOrDefault()?.Offset.Value ?? -1;
            offset = Math.Max(offset, committed);
        }
        catch (KafkaException)
        {
            // Then what this consumer knows: it committed everything that was committed for the partition, unless it is a
            // zombie, whose next transaction is fenced again.
        }

        if (offset < 0)
        {
            offset = old.FirstOffset;
        }

        if (offset < 0)
        {
            offset = Offset.Beginning.Value;
        }

        var fresh = new PartitionOutputs(partition, _counters);
        if (_restart(consumer, partition, offset))
        {
            // After the restart (which cancelled the old generation's handlers): a late completion of the old one finds
            // its token cancelled.
            _outputs[partition] = fresh;
            old.Close();
            Log.Restarted(_logger, partition.Topic, partition.Partition.Value, offset);
        }
    }

    /// <summary>
    /// What <c>ctx.Producer.GetStatistics()</c> reports: messages sent = outputs in committed transactions, failed =
    /// outputs of aborted or fenced transactions (their input records are handled again), in flight = outputs buffered
    /// for the next commit, rebuilds = transactional
    /// producers rebuilt after an abort or a fence, and the last such failure.
    /// </summary>
    private EventProducerStatistics Statistics()
    {
        var rebuilds = Interlocked.Read(ref _counters.Aborted);
        var lastError = Volatile.Read(ref _counters.LastError);
        var lastErrorTicks = Interlocked.Read(ref _counters.LastErrorAtTicks);
        DateTimeOffset? lastErrorAt = lastErrorTicks == 0 ? null : new DateTimeOffset(lastErrorTicks, TimeSpan.Zero);
        var state = rebuilds == 0 ? EventProducerState.Healthy : EventProducerState.Degraded;
        var health = new Diagnostics.KafkaClientHealth(
            rebuilds == 0 ? Diagnostics.KafkaHealthStatus.Healthy : Diagnostics.KafkaHealthStatus.Degraded, null, lastErrorAt ?? DateTimeOffset.UtcNow, null, null);
        return new EventProducerStatistics(
            Interlocked.Read(ref _counters.OutputsCommitted),
            Interlocked.Read(ref _counters.OutputsAborted),
            Math.Max(0, Interlocked.Read(ref _counters.OutputsWaiting)),
            state,
            (int)Math.Min(int.MaxValue, rebuilds),
            lastError,
            lastErrorAt,
            health);
    }
}
