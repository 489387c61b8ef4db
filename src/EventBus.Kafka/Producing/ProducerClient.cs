using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Producing;

/// <summary>
/// The Confluent producer in use, and its replacement: built from the options (delivery reports carry the message
/// itself as the record's key object; value and headers are not copied back), its errors and logs diagnosed and
/// logged through the <see cref="KafkaClientMonitor"/>, rebuilt once after a fatal error (idempotence state lost),
/// <see cref="EventProducerState.Failed"/> after a second. While TLS or authentication fails it refuses new messages at once, and replaces the Confluent producer to discard
/// what it had queued (so none of those can be delivered after their publishers were told they failed).
/// </summary>
internal sealed class ProducerClient : IDisposable
{
    /// <summary>
    /// The one delivery handler of every message: the report carries the message as the record's key object
    /// (delivery.report.fields includes key; Confluent hands the object back, nothing is copied from native memory).
    /// </summary>
    private static readonly Action<DeliveryReport<IPendingDelivery, byte[]?>> OnReport = static report => report.Message.Key.OnDelivery(report);

    private readonly EventBusOptions _options;
    private readonly ILogger _logger;
    private readonly Action<object> _replaced;
    private readonly Action<object, Error> _discarded;
    private readonly Func<long> _pending;
    private readonly object _rebuildGate = new();
    private readonly KafkaClientMonitor _monitor;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> _retired = [];
    private volatile IProducer<IPendingDelivery, byte[]?> _producer;
    private volatile string _clientId;
    private volatile bool _failed;
    private volatile object? _fatalProducer;
    private int _fatalErrors;
    private int _rebuilds;
    private int _disposed;

    // One Confluent message object lent to whichever thread produces (Produce copies it into librdkafka and keeps
    // only its key object for the report); a concurrent caller that finds it taken uses a new one.
    private Message<IPendingDelivery, byte[]?>? _spare;

    /// <summary>Initializes a new instance of the <see cref="ProducerClient"/> class and builds the Confluent producer.</summary>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="replaced">Called with a failed producer once it is disposed: what it held will never be reported on.</param>
    /// <param name="discarded">Called with a producer discarded during a configuration error, and that error: fail what it held.</param>
    /// <param name="pending">How many messages are not yet complete (nothing to discard when none).</param>
    public ProducerClient(EventBusOptions options, ILogger logger, Action<object> replaced, Action<object, Error>? discarded = null, Func<long>? pending = null)
    {
        _options = options;
        _logger = logger;
        _replaced = replaced;
        _discarded = discarded ?? ((_, _) => { });
        _pending = pending ?? (() => 0);
        var config = CreateConfig();
        MessageTimeout = TimeSpan.FromMilliseconds(config.MessageTimeoutMs ?? 300_000);
        _clientId = config.ClientId;
        _monitor = new KafkaClientMonitor(DiagnosisContext.From("producer", config), config.ClientId, logger,
            static (l, level, name, facility, text) => Log.Librdkafka(l, level, name, facility, text))
        {
            FailFastStarted = DiscardPending,
        };
        _producer = Build(config);
        Log.ProducerCreated(_logger, _clientId, config.BootstrapServers, config.Acks?.ToString() ?? "all", config.EnableIdempotence ?? false, config.CompressionType?.ToString() ?? "none");
    }

    /// <summary>Gets message.timeout.ms.</summary>
    public TimeSpan MessageTimeout { get; }

    /// <summary>Gets the Confluent producer in use.</summary>
    public IProducer<IPendingDelivery, byte[]?> Producer => _producer;

    /// <summary>Gets the client.id of the producer in use.</summary>
    public string ClientId => _clientId;

    /// <summary>Gets the diagnosis and health of the client.</summary>
    public KafkaClientMonitor Monitor => _monitor;

    /// <summary>Gets the state.</summary>
    public EventProducerState State =>
        Volatile.Read(ref _disposed) != 0 ? EventProducerState.Closed
        : _failed ? EventProducerState.Failed
        : _monitor.IsDegraded ? EventProducerState.Degraded
        : EventProducerState.Healthy;

    /// <summary>Gets how many times the producer was rebuilt after a fatal error.</summary>
    public int Rebuilds => Volatile.Read(ref _rebuilds);

    /// <summary>Gets a value indicating whether the producer failed for good (a fatal error after the rebuild).</summary>
    public bool HasFailed => _failed;

    /// <summary>Gets a value indicating whether the producer is being closed (<see cref="Close"/> was called).</summary>
    public bool IsClosing => Volatile.Read(ref _disposed) != 0;

    /// <summary>Whether a message handed to <paramref name="producer"/> failed because of that producer's fatal error.</summary>
    /// <param name="producer">The producer the message was given to.</param>
    /// <returns>Whether it did.</returns>
    public bool IsFatallyFailed(object? producer) => producer is not null && ReferenceEquals(producer, _fatalProducer);

    /// <summary>Hands the record to librdkafka; returns the error when it was not queued.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="record">The record.</param>
    /// <param name="pending">Its completion; remembers the producer it went to.</param>
    /// <returns>The error, or <see langword="null"/> when queued.</returns>
    public Error? TryProduce(string topic, SerializedRecord record, IPendingDelivery pending)
    {
        if (_failed)
        {
            return new Error(ErrorCode.Local_Fatal, _monitor.Current?.Reason ?? "fatal producer error", isFatal: true);
        }

        if (_monitor.FailFast is { } configurationError)
        {
            // TLS or authentication fails and nothing got through lately: the message could only time out.
            return new DiagnosedError(configurationError);
        }

        for (var attempt = 0; ; attempt++)
        {
            var producer = _producer;
            pending.Producer = producer;
            pending.KeyBytes = record.Key;
            var message = Interlocked.Exchange(ref _spare, null) ?? new Message<IPendingDelivery, byte[]?>();
            message.Key = pending;
            message.Value = record.Value;
            message.Headers = record.Headers;
            message.Timestamp = default; // librdkafka stamps it
            try
            {
                producer.Produce(topic, message, OnReport);
                return null;
            }
            catch (ProduceException<IPendingDelivery, byte[]?> ex)
            {
                return ex.Error;
            }
            catch (KafkaException ex)
            {
                return ex.Error;
            }
            catch (ObjectDisposedException) when (attempt == 0 && Volatile.Read(ref _disposed) == 0)
            {
                // The producer was being replaced: try once more with the new one.
            }
            catch (ObjectDisposedException ex)
            {
                return new Error(ErrorCode.Local_Destroy, "the producer was closed: " + ex.Message);
            }
            finally
            {
                pending.KeyBytes = null; // copied into librdkafka's message (or not queued): not kept alive
                message.Key = null!;
                message.Value = null;
                message.Headers = null;
                Volatile.Write(ref _spare, message);
            }
        }
    }

    /// <summary>A message was delivered: the connection works (one volatile read unless the client was degraded).</summary>
    public void OnDelivered() => _monitor.OnSuccess("a message was delivered");

    /// <summary>The diagnosis of a message that failed (on the failure path only).</summary>
    /// <param name="error">Its error.</param>
    /// <param name="topic">Its topic.</param>
    /// <returns>The diagnosis, or <see langword="null"/>.</returns>
    public KafkaDiagnosis? Diagnose(Error error, string topic) => _monitor.DiagnoseOperation(error, topic);

    /// <summary>Flushes for at most the timeout and disposes the producer in use.</summary>
    /// <param name="timeout">How long to flush.</param>
    /// <param name="inFlight">What to report when flushing fails.</param>
    /// <returns>How many messages were not delivered.</returns>
    public int Close(TimeSpan timeout, int inFlight)
    {
        Interlocked.Exchange(ref _disposed, 1);
        IProducer<IPendingDelivery, byte[]?> producer;
        lock (_rebuildGate)
        {
            producer = _producer;
        }

        int undelivered;
        try
        {
            undelivered = producer.Flush(timeout);
        }
        catch (KafkaException)
        {
            undelivered = inFlight;
        }

        producer.Dispose();
        _monitor.Dispose();
        return undelivered;
    }

    /// <inheritdoc />
    public void Dispose() => Close(TimeSpan.Zero, 0);

    private ProducerConfig CreateConfig()
    {
        var config = KafkaClientConfigFactory.CreateProducerConfig(_options);

        // Delivery reports need the message (the record's key object, handed back as is), where the record went and its
        // timestamp: value and headers are not copied back. Always set: the shared handler relies on the key.
        config.DeliveryReportFields = "key,timestamp,status";
        return config;
    }

    private IProducer<IPendingDelivery, byte[]?> Build(ProducerConfig config) =>
        new ProducerBuilder<IPendingDelivery, byte[]?>(config)
            .SetKeySerializer(PendingKeySerializer.Instance)
            .SetErrorHandler(OnError)
            .SetLogHandler(OnLog)
            .UseOAuthBearerTokenProvider(_options, _logger)
            .Build();

    private void OnError(IProducer<IPendingDelivery, byte[]?> producer, Error error)
    {
        if (_retired.TryGetValue(producer, out _))
        {
            return; // a producer already replaced: what it reports is no longer the client's state
        }

        var diagnosis = _monitor.OnError(error);
        if (!error.IsFatal)
        {
            return;
        }

        _fatalProducer = producer;
        Log.FatalError(_logger, producer.Name, error.Code.ToString(), error.Reason);
        if (Interlocked.Increment(ref _fatalErrors) == 1 && Volatile.Read(ref _disposed) == 0)
        {
            // Never rebuild or dispose on librdkafka's own callback thread.
            _ = Task.Run(() => Rebuild(producer, diagnosis));
        }
        else
        {
            _failed = true;
            if (diagnosis is not null)
            {
                _monitor.Fail(diagnosis);
            }

            Log.FailedPermanently(_logger, producer.Name);
        }
    }

    private void Rebuild(IProducer<IPendingDelivery, byte[]?> failed, KafkaDiagnosis? fatal)
    {
        lock (_rebuildGate)
        {
            if (Volatile.Read(ref _disposed) != 0 || !ReferenceEquals(failed, _producer))
            {
                return;
            }

            var config = CreateConfig();
            _retired.AddOrUpdate(failed, failed);
            _producer = Build(config);
            _clientId = config.ClientId;
            _monitor.ClientName = config.ClientId;
            Interlocked.Increment(ref _rebuilds);
            if (fatal is not null)
            {
                // Degraded until the new producer delivers: that is when it is known to work.
                _monitor.Degrade(fatal);
            }

            Log.Rebuilt(_logger, _clientId);
        }

        // Messages still queued on the failed producer fail with the fatal error (retriable: the new producer works).
        failed.Flush(_options.Producer.CloseTimeout);
        failed.Dispose();

        // Those it sent without an answer yet will never get a delivery report from it.
        _replaced(failed);
    }

    /// <summary>
    /// TLS or authentication started failing with messages pending: replace the Confluent producer (its queue goes with
    /// it, so none of them can be delivered later) and fail them with the diagnosis. Off librdkafka's threads.
    /// </summary>
    private void DiscardPending(KafkaDiagnosis diagnosis)
    {
        IProducer<IPendingDelivery, byte[]?> discarded;
        lock (_rebuildGate)
        {
            if (Volatile.Read(ref _disposed) != 0 || _failed || _pending() == 0)
            {
                return;
            }

            discarded = _producer;
            _retired.AddOrUpdate(discarded, discarded);
            var config = CreateConfig();
            _producer = Build(config);
            _clientId = config.ClientId;
            _monitor.ClientName = config.ClientId;
            Log.QueueDiscarded(_logger, discarded.Name, _clientId, diagnosis.Summary);
        }

        discarded.Dispose();
        _discarded(discarded, new DiagnosedError(diagnosis));
    }

    private void OnLog(IProducer<IPendingDelivery, byte[]?> producer, LogMessage message)
    {
        if (!_retired.TryGetValue(producer, out _))
        {
            _monitor.OnLog(message);
        }
    }
}
