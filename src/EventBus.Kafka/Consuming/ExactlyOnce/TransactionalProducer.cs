using System.Diagnostics;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>What became of a commit cycle's transaction.</summary>
internal enum TransactionOutcome
{
    /// <summary>Committed: its records are visible to read_committed readers, its offsets committed.</summary>
    Committed,

    /// <summary>Aborted: nothing of it is visible; its partitions start over at their committed offsets.</summary>
    Aborted,

    /// <summary>The producer was fenced or failed fatally: rebuilt, nothing visible, its partitions start over.</summary>
    Fenced,
}

/// <summary>
/// One Confluent transactional producer with a stable <c>transactional.id</c>: initialized (which fences an earlier
/// producer of the same id and completes its open transaction), always inside a begun transaction between commit
/// cycles (begun locally only: nothing reaches the broker until the cycle produces), committing a cycle's records and
/// offsets together, aborting on failure, rebuilt when fenced. Used by the poll thread only, one call at a time.
/// </summary>
internal sealed class TransactionalProducer : IDisposable
{
    private readonly ProducerConfig _config;
    private readonly EventBusOptions _options;
    private readonly TimeSpan _initTimeout;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private IProducer<byte[]?, byte[]?>? _producer;
    private bool _disposed;
    private bool _ready;

    /// <summary>Initializes a new instance of the <see cref="TransactionalProducer"/> class (not connected yet).</summary>
    /// <param name="options">The options (connection, security, producer settings).</param>
    /// <param name="transactionalId">The stable transactional id.</param>
    /// <param name="initTimeout">The bound of InitTransactions, retries included (it waits for the previous owner's transaction to complete).</param>
    /// <param name="timeout">The bound of a commit cycle's transaction (produce, offsets, commit) and of an abort, retries included.</param>
    /// <param name="logger">The logger.</param>
    public TransactionalProducer(EventBusOptions options, string transactionalId, TimeSpan initTimeout, TimeSpan timeout, ILogger logger)
    {
        _options = options;
        _initTimeout = initTimeout;
        _timeout = timeout;
        _logger = logger;
        TransactionalId = transactionalId;
        _config = KafkaClientConfigFactory.CreateProducerConfig(options);
        _config.TransactionalId = transactionalId;
        _config.EnableIdempotence = true;
        _config.Acks = Acks.All;
        _config.TransactionTimeoutMs = 60_000;
    }

    /// <summary>Gets the transactional id.</summary>
    public string TransactionalId { get; }

    /// <summary>Builds the Confluent producer, initializes transactions (fencing an older producer of this id) and begins one.</summary>
    /// <exception cref="KafkaException">Transactions could not be initialized within the timeout.</exception>
    public void Initialize()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _producer?.Dispose();
            var id = TransactionalId;
            var logger = _logger;
            _producer = new ProducerBuilder<byte[]?, byte[]?>(_config)
                .SetErrorHandler((_, e) => Log.ProducerError(logger, id, e.Code.ToString(), e.Reason))
                .SetLogHandler((_, m) => Log.ProducerLog(logger, id, m.Level.ToString(), m.Facility, m.Message))
                .UseOAuthBearerTokenProvider(_options, logger)
                .Build();
            var deadline = Stopwatch.GetTimestamp() + (long)(_initTimeout.TotalSeconds * Stopwatch.Frequency);
            _ready = false;
            Retry("InitTransactions", deadline, p => p.InitTransactions(Remaining(deadline)));
            _producer.BeginTransaction();
            _ready = true;
        }
    }

    /// <summary>
    /// Produces the cycle's records, sends the offsets to the transaction and commits it; on failure aborts it, and when
    /// the producer is fenced or failed fatally rebuilds it. A new transaction is begun in every case.
    /// </summary>
    /// <param name="records">The records, in order.</param>
    /// <param name="offsets">The offsets to commit (the next offset to read per partition).</param>
    /// <param name="group">The consumer's group metadata.</param>
    /// <param name="error">Why the transaction did not commit.</param>
    /// <returns>The outcome.</returns>
    public TransactionOutcome Commit(List<OutgoingRecord> records, List<TopicPartitionOffset> offsets, IConsumerGroupMetadata group, out Error? error)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            error = null;
            if (!_ready && !TryInitialize(out error))
            {
                return TransactionOutcome.Fenced;
            }

            var producer = _producer!;
            var deadline = Stopwatch.GetTimestamp() + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
            try
            {
                foreach (var record in records)
                {
                    Produce(producer, record, deadline);
                }

                Retry("SendOffsetsToTransaction", deadline, p => p.SendOffsetsToTransaction(offsets, group, Remaining(deadline)));
                Retry("CommitTransaction", deadline, p => p.CommitTransaction(Remaining(deadline)));
                producer.BeginTransaction();
                return TransactionOutcome.Committed;
            }
            catch (KafkaException ex) when (!ex.Error.IsFatal && !IsFencing(ex.Error.Code))
            {
                // Abortable (a produce failed, a timeout outlasted the bound): nothing of it becomes visible.
                error = ex.Error;
                if (TryAbort(producer))
                {
                    return TransactionOutcome.Aborted;
                }
            }
            catch (KafkaException ex)
            {
                error = ex.Error;
            }

            // Fenced (another producer of this id was initialized) or fatal: this producer can do nothing more. A new one
            // of the same id fences the other in turn and completes whatever transaction is open (now, or if the broker
            // cannot be reached now, at the start of the next cycle).
            _ready = false;
            TryInitialize(out _);
            return TransactionOutcome.Fenced;
        }
    }

    private bool TryInitialize(out Error? error)
    {
        try
        {
            Initialize();
            error = null;
            return true;
        }
        catch (KafkaException ex)
        {
            error = ex.Error;
            return false;
        }
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

            // Between cycles the begun transaction holds nothing on the broker: disposing leaves nothing open. After a
            // crash (no Dispose) the next owner's InitTransactions aborts whatever was.
            _producer?.Dispose();
            _producer = null;
        }
    }

    private static bool IsFencing(ErrorCode code) => code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.Local_Fenced
        or ErrorCode.TransactionalIdAuthorizationFailed or ErrorCode.InvalidProducerIdMapping;

    private static TimeSpan Remaining(long deadline)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        return remaining > TimeSpan.FromMilliseconds(100) ? remaining : TimeSpan.FromMilliseconds(100);
    }

    private void Produce(IProducer<byte[]?, byte[]?> producer, OutgoingRecord record, long deadline)
    {
        while (true)
        {
            try
            {
                // No delivery handler: a record that fails makes the commit fail (abortable), and then nothing is visible.
                producer.Produce(record.Topic, record.Message);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull && Stopwatch.GetTimestamp() < deadline)
            {
                // The local queue is full: serve delivery reports until there is room.
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
            catch (ProduceException<byte[]?, byte[]?> ex)
            {
                throw new KafkaException(ex.Error);
            }
        }
    }

    private void Retry(string operation, long deadline, Action<IProducer<byte[]?, byte[]?>> call)
    {
        while (true)
        {
            try
            {
                call(_producer!);
                return;
            }
            catch (KafkaRetriableException ex) when (Stopwatch.GetTimestamp() < deadline)
            {
                Log.Retrying(_logger, TransactionalId, operation, ex.Error.Code.ToString(), ex.Error.Reason);
            }
        }
    }

    private bool TryAbort(IProducer<byte[]?, byte[]?> producer)
    {
        try
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
            Retry("AbortTransaction", deadline, p => p.AbortTransaction(Remaining(deadline)));
            producer.BeginTransaction();
            return true;
        }
        catch (KafkaException)
        {
            return false;
        }
    }
}
