using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Producing;

/// <summary>
/// The Confluent producer in use, and its replacement after a fatal error: built from the options (delivery reports
/// without key, value and headers copied back), its errors and logs forwarded to the logger, rebuilt once after a
/// fatal error (idempotence state lost), <see cref="EventProducerState.Failed"/> after a second.
/// </summary>
internal sealed class ProducerClient : IDisposable
{
    private readonly EventBusOptions _options;
    private readonly ILogger _logger;
    private readonly Action<object> _replaced;
    private readonly object _rebuildGate = new();
    private volatile IProducer<byte[]?, byte[]?> _producer;
    private volatile string _clientId;
    private volatile string? _lastError;
    private volatile EventProducerState _state = EventProducerState.Healthy;
    private volatile object? _fatalProducer;
    private int _fatalErrors;
    private int _rebuilds;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="ProducerClient"/> class and builds the Confluent producer.</summary>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="replaced">Called with a failed producer once it is disposed: what it held will never be reported on.</param>
    public ProducerClient(EventBusOptions options, ILogger logger, Action<object> replaced)
    {
        _options = options;
        _logger = logger;
        _replaced = replaced;
        var config = CreateConfig();
        MessageTimeout = TimeSpan.FromMilliseconds(config.MessageTimeoutMs ?? 300_000);
        _clientId = config.ClientId;
        _producer = Build(config);
        Log.ProducerCreated(_logger, _clientId, config.BootstrapServers, config.Acks?.ToString() ?? "all", config.EnableIdempotence ?? false, config.CompressionType?.ToString() ?? "none");
    }

    /// <summary>Gets message.timeout.ms.</summary>
    public TimeSpan MessageTimeout { get; }

    /// <summary>Gets the Confluent producer in use.</summary>
    public IProducer<byte[]?, byte[]?> Producer => _producer;

    /// <summary>Gets the client.id of the producer in use.</summary>
    public string ClientId => _clientId;

    /// <summary>Gets the health.</summary>
    public EventProducerState State => _state;

    /// <summary>Gets the last client error, as "code: reason".</summary>
    public string? LastError => _lastError;

    /// <summary>Gets how many times the producer was rebuilt.</summary>
    public int Rebuilds => Volatile.Read(ref _rebuilds);

    /// <summary>Gets a value indicating whether the producer failed for good (a fatal error after the rebuild).</summary>
    public bool HasFailed => _state == EventProducerState.Failed;

    /// <summary>Whether a message handed to <paramref name="producer"/> failed because of that producer's fatal error.</summary>
    /// <param name="producer">The producer the message was given to.</param>
    /// <returns>Whether it did.</returns>
    public bool IsFatallyFailed(object? producer) => producer is not null && ReferenceEquals(producer, _fatalProducer);

    /// <summary>Hands the record to librdkafka; returns the error when it was not queued.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="record">The record.</param>
    /// <param name="pending">Its completion; remembers the producer it went to.</param>
    /// <returns>The error, or <see langword="null"/> when queued.</returns>
    public Error? TryProduce(string topic, Message<byte[]?, byte[]?> record, IPendingDelivery pending)
    {
        if (_state == EventProducerState.Failed)
        {
            return new Error(ErrorCode.Local_Fatal, _lastError ?? "fatal producer error", isFatal: true);
        }

        for (var attempt = 0; ; attempt++)
        {
            var producer = _producer;
            pending.Producer = producer;
            try
            {
                producer.Produce(topic, record, pending.Handler);
                return null;
            }
            catch (ProduceException<byte[]?, byte[]?> ex)
            {
                return ex.Error;
            }
            catch (KafkaException ex)
            {
                return ex.Error;
            }
            catch (ObjectDisposedException) when (attempt == 0 && Volatile.Read(ref _disposed) == 0)
            {
                // The producer was being replaced after a fatal error: try once more with the new one.
            }
            catch (ObjectDisposedException ex)
            {
                return new Error(ErrorCode.Local_Destroy, "the producer was closed: " + ex.Message);
            }
        }
    }

    /// <summary>Flushes for at most the timeout and disposes the producer in use.</summary>
    /// <param name="timeout">How long to flush.</param>
    /// <param name="inFlight">What to report when flushing fails.</param>
    /// <returns>How many messages were not delivered.</returns>
    public int Close(TimeSpan timeout, int inFlight)
    {
        Interlocked.Exchange(ref _disposed, 1);
        _state = EventProducerState.Closed;
        var producer = _producer;
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
        return undelivered;
    }

    /// <inheritdoc />
    public void Dispose() => Close(TimeSpan.Zero, 0);

    private ProducerConfig CreateConfig()
    {
        var config = KafkaClientConfigFactory.CreateProducerConfig(_options);

        // Delivery reports need only where the record went and its timestamp: skip copying key, value and headers back.
        config.DeliveryReportFields ??= "timestamp,status";
        return config;
    }

    private IProducer<byte[]?, byte[]?> Build(ProducerConfig config) =>
        new ProducerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler(OnError)
            .SetLogHandler(OnLog)
            .UseOAuthBearerTokenProvider(_options, _logger)
            .Build();

    private void OnError(IProducer<byte[]?, byte[]?> producer, Error error)
    {
        _lastError = $"{error.Code}: {error.Reason}";
        if (!error.IsFatal)
        {
            Log.ClientError(_logger, producer.Name, error.Code.ToString(), error.Reason);
            return;
        }

        if (!ReferenceEquals(producer, _producer))
        {
            return; // the producer already replaced
        }

        _fatalProducer = producer;
        Log.FatalError(_logger, producer.Name, error.Code.ToString(), error.Reason);
        if (Interlocked.Increment(ref _fatalErrors) == 1 && Volatile.Read(ref _disposed) == 0)
        {
            // Never rebuild or dispose on librdkafka's own callback thread.
            _ = Task.Run(() => Rebuild(producer));
        }
        else
        {
            _state = EventProducerState.Failed;
            Log.FailedPermanently(_logger, producer.Name);
        }
    }

    private void Rebuild(IProducer<byte[]?, byte[]?> failed)
    {
        lock (_rebuildGate)
        {
            if (Volatile.Read(ref _disposed) != 0 || !ReferenceEquals(failed, _producer))
            {
                return;
            }

            var config = CreateConfig();
            _producer = Build(config);
            _clientId = config.ClientId;
            Interlocked.Increment(ref _rebuilds);
            _state = EventProducerState.Recovered;
            Log.Rebuilt(_logger, _clientId);
        }

        // Messages still queued on the failed producer fail with the fatal error (retriable: the new producer works).
        failed.Flush(_options.Producer.CloseTimeout);
        failed.Dispose();

        // Those it sent without an answer yet will never get a delivery report from it.
        _replaced(failed);
    }

    private void OnLog(IProducer<byte[]?, byte[]?> producer, LogMessage message)
    {
        var level = message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);
        if (_logger.IsEnabled((LogLevel)level))
        {
            Log.Librdkafka(_logger, (LogLevel)level, message.Name, message.Facility, message.Message);
        }
    }
}
