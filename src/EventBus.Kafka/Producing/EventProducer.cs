using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Producing;

/// <summary>
/// The idempotent Kafka producer of a service: one Confluent producer (acks=all, idempotence, snappy by default),
/// thread-safe, meant to live as a singleton — registered as one in DI, or shared through
/// <see cref="GetOrCreateShared"/> / <see cref="CloseSharedAsync"/> in code without DI.
/// </summary>
/// <remarks>
/// <para>Every message carries the headers of <see cref="EventHeaderNames"/>. A full local queue makes publishing
/// wait for room (bounded by message.timeout.ms and the cancellation token) instead of failing; messages waiting for
/// room keep their publish order, and later publishes line up behind them.</para>
/// <para>A fatal producer error (idempotence state lost) is logged, reported by <see cref="GetStatistics"/>, and the
/// Confluent producer is rebuilt once; a second one leaves the producer <see cref="EventProducerState.Failed"/>.</para>
/// <para>Disposing flushes for at most <c>KAFKA_PRODUCER_CLOSE_TIMEOUT</c> and logs how many messages were not delivered.</para>
/// </remarks>
public sealed class EventProducer : IEventProducer, IDisposable, IAsyncDisposable
{
    private const string OctetStream = "application/octet-stream";
    private const string TextPlain = "text/plain; charset=utf-8";
    private static readonly Header OctetStreamHeader = new(EventHeaderNames.ContentType, Encoding.ASCII.GetBytes(OctetStream));
    private static readonly Header TextPlainHeader = new(EventHeaderNames.ContentType, Encoding.ASCII.GetBytes(TextPlain));
    private static readonly Header JsonHeader = new(EventHeaderNames.ContentType, Encoding.ASCII.GetBytes(JsonEventSerializer.JsonContentType));
    private static readonly object SharedGate = new();
    private static EventProducer? shared;

    private readonly EventBusOptions _options;
    private readonly ILogger _logger;
    private readonly IEventSerializer _serializer;
    private readonly Header _serializerContentType;
    private readonly Header _source;
    private readonly TimeSpan _messageTimeout;
    private readonly ConcurrentDictionary<string, string> _topics = new(StringComparer.Ordinal);
    private readonly EpochSecondsHeader _timestamp = new();
    private readonly object _rebuildGate = new();
    private readonly PendingRegistry _pending = new();
    private readonly ImmediateSender _immediate;
    private readonly ProduceBacklog _backlog;
    private volatile IProducer<byte[]?, byte[]?> _producer;
    private volatile string _clientId;
    private volatile string? _lastError;
    private volatile EventProducerState _state = EventProducerState.Healthy;
    private long _sent;
    private long _failed;
    private long _inFlight;
    private int _fatalErrors;
    private volatile object? _fatalProducer;
    private int _rebuilds;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="EventProducer"/> class and connects its Confluent producer.</summary>
    /// <param name="options">The validated options (see <see cref="EventBusOptions.FromEnvironment"/>).</param>
    /// <param name="logger">The logger; librdkafka's own logs are forwarded to it too.</param>
    /// <param name="serializer">The payload serializer; <see langword="null"/> for System.Text.Json with web defaults.</param>
    /// <exception cref="EventBusConfigurationException">The options are invalid.</exception>
    public EventProducer(EventBusOptions options, ILogger<EventProducer>? logger = null, IEventSerializer? serializer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _serializer = serializer ?? JsonEventSerializer.CreateDefault();
        _serializerContentType = new Header(EventHeaderNames.ContentType, Encoding.UTF8.GetBytes(_serializer.ContentType));
        _source = new Header(EventHeaderNames.Source, Encoding.UTF8.GetBytes(options.Connection.ServiceName ?? string.Empty));
        var config = CreateConfig();
        _messageTimeout = TimeSpan.FromMilliseconds(config.MessageTimeoutMs ?? 300_000);
        _clientId = config.ClientId;
        _producer = Build(config);
        _immediate = new ImmediateSender(() => _producer, "eventbus-producer-send");
        _backlog = new ProduceBacklog(TryProduce, _messageTimeout, () => Log.QueueFull(_logger, _clientId));
        Log.ProducerCreated(_logger, _clientId, config.BootstrapServers, config.Acks?.ToString() ?? "all", config.EnableIdempotence ?? false, config.CompressionType?.ToString() ?? "none");
    }

    /// <summary>Gets the client.id of the Confluent producer in use.</summary>
    public string ClientId => _clientId;

    /// <summary>Gets the handle of the Confluent producer in use (for dependent clients and tests).</summary>
    internal Handle Handle => _producer.Handle;

    /// <summary>Gets a value indicating whether queued messages are sent without lingering (a synchronous publish is waiting).</summary>
    internal bool IsSendingImmediately => _immediate.IsSending;

    /// <summary>Gets the producer's health.</summary>
    public EventProducerState State => _state;

    /// <summary>
    /// Gets the process-wide producer, creating it on first use: for code without dependency injection. Race-free:
    /// concurrent first calls create one producer. Later calls return the same instance and ignore their arguments,
    /// until <see cref="CloseSharedAsync"/> (or disposing it) lets the next call create a new one.
    /// </summary>
    /// <param name="options">The options; <see langword="null"/> reads the process environment.</param>
    /// <param name="logger">The logger.</param>
    /// <returns>The shared producer.</returns>
    /// <exception cref="EventBusConfigurationException">The configuration is invalid.</exception>
    public static EventProducer GetOrCreateShared(EventBusOptions? options = null, ILogger<EventProducer>? logger = null)
    {
        lock (SharedGate)
        {
            if (shared is null || Volatile.Read(ref shared._disposed) != 0)
            {
                shared = new EventProducer(options ?? EventBusOptions.FromEnvironment(), logger);
            }

            return shared;
        }
    }

    /// <summary>Closes the shared producer (flushing for at most the close timeout), if one exists.</summary>
    /// <returns>A task that completes when it is closed.</returns>
    public static ValueTask CloseSharedAsync()
    {
        EventProducer? producer;
        lock (SharedGate)
        {
            producer = shared;
            shared = null;
        }

        return producer?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public Task<PublishResult> PublishAsync<T>(string topicKey, T message, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default) =>
        PublishCoreAsync(ResolveTopic(topicKey), message, null, partitionKey, headers, cancellationToken);

    /// <inheritdoc />
    public Task<PublishResult> PublishAsync<T>(string topicKey, T message, JsonTypeInfo<T> jsonTypeInfo, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonTypeInfo);
        return PublishCoreAsync(ResolveTopic(topicKey), message, jsonTypeInfo, partitionKey, headers, cancellationToken);
    }

    /// <inheritdoc />
    public Task<PublishResult> PublishToTopicAsync<T>(string topicName, T message, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicName);
        return PublishCoreAsync(topicName, message, null, partitionKey, headers, cancellationToken);
    }

    /// <inheritdoc />
    public PublishResult Publish<T>(string topicKey, T message, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        PublishCore(ResolveTopic(topicKey), message, null, partitionKey, headers);

    /// <inheritdoc />
    public PublishResult Publish<T>(string topicKey, T message, JsonTypeInfo<T> jsonTypeInfo, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(jsonTypeInfo);
        return PublishCore(ResolveTopic(topicKey), message, jsonTypeInfo, partitionKey, headers);
    }

    /// <inheritdoc />
    public Task<PublishBatchResult> PublishBatchAsync<T>(string topicKey, IEnumerable<EventMessage<T>> messages, CancellationToken cancellationToken = default) =>
        PublishBatchCoreAsync(ResolveTopic(topicKey), messages, null, cancellationToken);

    /// <inheritdoc />
    public Task<PublishBatchResult> PublishBatchAsync<T>(string topicKey, IEnumerable<EventMessage<T>> messages, JsonTypeInfo<T> jsonTypeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonTypeInfo);
        return PublishBatchCoreAsync(ResolveTopic(topicKey), messages, jsonTypeInfo, cancellationToken);
    }

    /// <inheritdoc />
    public EventProducerStatistics GetStatistics() => new(
        Interlocked.Read(ref _sent),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _inFlight),
        _state,
        Volatile.Read(ref _rebuilds),
        _lastError);

    /// <summary>
    /// Publishes an already-encoded record (value bytes and headers as given, standard headers added where absent):
    /// the dead-letter path, which must keep the original record intact.
    /// </summary>
    internal Task<PublishResult> PublishRawAsync(string topic, byte[]? key, byte[]? value, Headers headers, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var messageId = AddStandardHeaders(headers, null, null);
        var record = new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = headers };
        return ProduceAsync(topic, key is null ? null : Encoding.UTF8.GetString(key), messageId, record, cancellationToken);
    }

    /// <summary>Flushes for at most the close timeout, logs what was not delivered and releases the Confluent producer. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _state = EventProducerState.Closed;
        _immediate.Dispose();
        var producer = _producer;
        var closeTimeout = _options.Producer.CloseTimeout;
        int undelivered;
        try
        {
            undelivered = producer.Flush(closeTimeout);
        }
        catch (KafkaException)
        {
            undelivered = (int)Interlocked.Read(ref _inFlight);
        }

        if (undelivered > 0)
        {
            Log.ClosedWithUndelivered(_logger, _clientId, closeTimeout.TotalSeconds, undelivered);
        }
        else
        {
            Log.Closed(_logger, _clientId);
        }

        producer.Dispose();
        _backlog.SignalRoom();

        // Delivery reports of messages still unacknowledged will never come: fail them rather than leave callers waiting.
        _pending.FailAll(static _ => true, c => c.Fail(new Error(ErrorCode.Local_Destroy,
            $"the producer was closed before the broker acknowledged the message (flushed for {closeTimeout.TotalSeconds:0.###} s, {EventBusEnvironmentVariables.ProducerCloseTimeout}); it may not have been delivered")));
    }

    /// <summary>Flushes and closes off the calling thread (flushing blocks for up to the close timeout). Idempotent.</summary>
    /// <returns>A task that completes when the producer is closed.</returns>
    public ValueTask DisposeAsync() =>
        Volatile.Read(ref _disposed) != 0 ? ValueTask.CompletedTask : new ValueTask(Task.Run(Dispose));

    /// <inheritdoc />
    public override string ToString() => $"EventProducer({_clientId}, {_state})";

    internal static bool IsRetriable(ErrorCode code) => code is
        ErrorCode.Local_MsgTimedOut or ErrorCode.Local_TimedOut or ErrorCode.Local_QueueFull or ErrorCode.Local_Transport
        or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Retry or ErrorCode.Local_WaitCoord or ErrorCode.Local_Outdated
        or ErrorCode.RequestTimedOut or ErrorCode.NetworkException or ErrorCode.LeaderNotAvailable or ErrorCode.NotLeaderForPartition
        or ErrorCode.BrokerNotAvailable or ErrorCode.ReplicaNotAvailable or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
        or ErrorCode.NotCoordinatorForGroup or ErrorCode.UnknownTopicOrPart or ErrorCode.KafkaStorageError or ErrorCode.OutOfOrderSequenceNumber
        or ErrorCode.ConcurrentTransactions or ErrorCode.ThrottlingQuotaExceeded;

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

    private string ResolveTopic(string topicKey)
    {
        ArgumentNullException.ThrowIfNull(topicKey);
        if (_topics.TryGetValue(topicKey, out var topic))
        {
            return topic;
        }

        topic = _options.Topics.GetTopicName(topicKey);
        _topics.TryAdd(topicKey, topic);
        return topic;
    }

    private Task<PublishResult> PublishCoreAsync<T>(string topic, T message, JsonTypeInfo<T>? typeInfo, string? partitionKey, IEnumerable<KeyValuePair<string, string>>? headers, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        var record = CreateRecord(message, typeInfo, partitionKey, headers, out var messageId);
        return ProduceAsync(topic, partitionKey, messageId, record, cancellationToken);
    }

    private Task<PublishResult> ProduceAsync(string topic, string? partitionKey, byte[] messageId, Message<byte[]?, byte[]?> record, CancellationToken cancellationToken)
    {
        var completion = cancellationToken.CanBeCanceled
            ? new CancellablePublishCompletion(this, topic, partitionKey, messageId)
            : new PublishCompletion(this, topic, partitionKey, messageId);
        if (Enqueue(topic, record, completion, cancellationToken) is { } error)
        {
            completion.Fail(error);
        }
        else if (completion is CancellablePublishCompletion cancellable)
        {
            // Cancelling stops the wait for the acknowledgement too (the message may still be delivered).
            cancellable.Register(cancellationToken);
        }

        return completion.Task;
    }

    /// <summary>
    /// Counts the message in flight, registers it and hands it to librdkafka, or — when the local queue is full, or
    /// other messages already wait for room — lines it up in the backlog (bounded by message.timeout.ms and
    /// <paramref name="cancellationToken"/>). Returns the error when it failed at once.
    /// </summary>
    private Error? Enqueue(string topic, Message<byte[]?, byte[]?> record, IPendingDelivery pending, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        _pending.Add(pending);
        if (_backlog.IsEmpty)
        {
            var error = TryProduce(topic, record, pending);
            if (error is null || error.Code != ErrorCode.Local_QueueFull)
            {
                return error;
            }
        }

        _backlog.Add(topic, record, pending, cancellationToken);
        return null;
    }

    private PublishResult PublishCore<T>(string topic, T message, JsonTypeInfo<T>? typeInfo, string? partitionKey, IEnumerable<KeyValuePair<string, string>>? headers)
    {
        ThrowIfDisposed();
        var flushTimeout = _options.Producer.FlushTimeout;
        var record = CreateRecord(message, typeInfo, partitionKey, headers, out var messageId);

        // The same path as PublishAsync; the flush timeout bounds both the wait for room and the wait for the ack.
        using var timeout = new CancellationTokenSource(flushTimeout);
        var task = ProduceAsync(topic, partitionKey, messageId, record, timeout.Token);
        bool completed;

        // A sequential caller cannot fill a batch: send at once instead of lingering (see ImmediateSender).
        _immediate.Enter();
        try
        {
            completed = task.Wait(flushTimeout);
        }
        catch (AggregateException)
        {
            completed = true;
        }
        finally
        {
            _immediate.Exit();
        }

        if (!completed || task.IsCanceled)
        {
            var cause = _lastError is { } last ? $"; last client error: {last}" : string.Empty;
            var fate = task.IsCanceled ? "the local queue stayed full, so the message was not queued" : "the message stays queued and may still be delivered";
            throw new EventPublishException(topic, partitionKey, DecodeId(messageId), ErrorCode.Local_TimedOut,
                $"not acknowledged within the flush timeout ({flushTimeout.TotalSeconds:0.###} s, {EventBusEnvironmentVariables.ProducerFlushTimeout}){cause}; {fate}",
                isRetriable: true);
        }

        return task.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Queues the batch in order with one completion shared by the whole batch: per message only its slot and
    /// delivery delegate, no Task.
    /// </summary>
    private async Task<PublishBatchResult> PublishBatchCoreAsync<T>(string topic, IEnumerable<EventMessage<T>> messages, JsonTypeInfo<T>? typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ThrowIfDisposed();
        var items = messages as IReadOnlyList<EventMessage<T>> ?? messages.ToList();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                throw new ArgumentException($"Message {i} of the batch is null; nothing was published.", nameof(messages));
            }
        }

        var batch = new BatchCompletion(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            Message<byte[]?, byte[]?> record;
            byte[] messageId;
            try
            {
                record = CreateRecord(item.Message, typeInfo, item.PartitionKey, item.Headers, out messageId);
            }
#pragma warning disable CA1031 // A serializer or a bad header may throw anything; that item fails, the others go on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var code = ex is ArgumentException ? ErrorCode.Local_InvalidArg : ErrorCode.Local_ValueSerialization;
                batch.Set(new PublishOutcome(i, null, new EventPublishException(topic, item.PartitionKey, string.Empty, code,
                    $"the message could not be built ({ex.GetType().Name}: {ex.Message})", isRetriable: false, ex)));
                continue;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                batch.Set(new PublishOutcome(i, null, CancelledBeforeQueued(topic, item.PartitionKey, messageId)));
                continue;
            }

            var slot = new BatchSlot(this, batch, i, topic, item.PartitionKey, messageId);
            batch.Track(slot, cancellationToken);
            if (Enqueue(topic, record, slot, cancellationToken) is { } error)
            {
                slot.Fail(error);
            }
        }

        batch.AllQueued(cancellationToken);
        return await batch.Task.ConfigureAwait(false);
    }

    private static EventPublishException CancelledBeforeQueued(string topic, string? partitionKey, byte[] messageId) =>
        new(topic, partitionKey, DecodeId(messageId), ErrorCode.Local_Fail, "cancelled before it was queued", isRetriable: true);

    internal Message<byte[]?, byte[]?> CreateRecord<T>(T message, JsonTypeInfo<T>? typeInfo, string? partitionKey, IEnumerable<KeyValuePair<string, string>>? extraHeaders, out byte[] messageId)
    {
        var value = SerializeValue(message, typeInfo, out var contentType);
        var headers = new Headers();
        messageId = AddStandardHeaders(headers, contentType, extraHeaders);
        return new Message<byte[]?, byte[]?>
        {
            Key = partitionKey is null ? null : Encoding.UTF8.GetBytes(partitionKey),
            Value = value,
            Headers = headers,
        };
    }

    private byte[]? SerializeValue<T>(T message, JsonTypeInfo<T>? typeInfo, out Header? contentType)
    {
        if (!typeof(T).IsValueType)
        {
            switch (message)
            {
                case null:
                    contentType = null;
                    return null;
                case byte[] bytes:
                    contentType = OctetStreamHeader;
                    return bytes;
                case string text:
                    contentType = TextPlainHeader;
                    return Encoding.UTF8.GetBytes(text);
            }
        }

        if (typeInfo is not null)
        {
            contentType = JsonHeader;
            return JsonSerializer.SerializeToUtf8Bytes(message, typeInfo);
        }

        contentType = _serializerContentType;
        return _serializer.Serialize(message);
    }

    /// <summary>
    /// Adds the standard headers that <paramref name="headers"/> (plus <paramref name="extra"/>) do not already have;
    /// returns the message id's bytes. The constant headers are shared <see cref="Header"/> instances (librdkafka
    /// copies them when producing); only the message id is new per message.
    /// </summary>
    private byte[] AddStandardHeaders(Headers headers, Header? contentType, IEnumerable<KeyValuePair<string, string>>? extra)
    {
        if (extra is not null)
        {
            foreach (var (name, value) in extra)
            {
                ArgumentNullException.ThrowIfNull(name);
                headers.Add(name, value is null ? null : Encoding.UTF8.GetBytes(value));
            }
        }

        var existing = headers.Count;
        bool Has(string name)
        {
            for (var i = 0; i < existing; i++)
            {
                if (string.Equals(headers[i].Key, name, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        byte[]? callerMessageId = null;
        if (existing > 0 && headers.TryGetLastBytes(EventHeaderNames.MessageId, out var idBytes) && idBytes is not null)
        {
            callerMessageId = idBytes;
        }

        if (existing == 0 || !Has(EventHeaderNames.Timestamp))
        {
            headers.Add(_timestamp.Current());
        }

        if (existing == 0 || !Has(EventHeaderNames.Source))
        {
            headers.Add(_source);
        }

        var messageId = callerMessageId;
        if (messageId is null)
        {
            messageId = new byte[32];
            Guid.NewGuid().TryFormat(messageId, out _, "N");
            headers.Add(new Header(EventHeaderNames.MessageId, messageId));
        }

        if (contentType is not null && (existing == 0 || !Has(EventHeaderNames.ContentType)))
        {
            headers.Add(contentType);
        }

        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity && (existing == 0 || !Has(EventHeaderNames.TraceParent)))
        {
            headers.Add(EventHeaderNames.TraceParent, Encoding.ASCII.GetBytes(activity.Id!));
            if (activity.TraceStateString is { Length: > 0 } traceState)
            {
                headers.Add(EventHeaderNames.TraceState, Encoding.UTF8.GetBytes(traceState));
            }
        }

        return messageId;
    }

    /// <summary>Hands the record to librdkafka; returns the error when it was not queued.</summary>
    private Error? TryProduce(string topic, Message<byte[]?, byte[]?> record, IPendingDelivery pending)
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

    /// <summary>Takes the message out of the registry and counts it; false when another path completed it first.</summary>
    private bool Complete(IPendingDelivery pending, bool success)
    {
        if (!_pending.Remove(pending))
        {
            return false;
        }

        OnDelivered(success);
        return true;
    }

    private void OnDelivered(bool success)
    {
        Interlocked.Decrement(ref _inFlight);
        if (success)
        {
            Interlocked.Increment(ref _sent);
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }

        _backlog.SignalRoom();
    }

    private static string DecodeId(byte[]? messageId) => messageId is null ? string.Empty : Encoding.UTF8.GetString(messageId);

    private EventPublishException CreateException(string topic, string? partitionKey, byte[] messageId, Error error, IPendingDelivery pending)
    {
        // After a fatal error librdkafka fails what the failed producer still holds (with the fatal error's code, or
        // Local_PurgeQueue), while the rebuilt producer takes new messages: those failures are the fatal error's.
        var fatal = error.IsFatal || (pending.Producer is { } producer && ReferenceEquals(producer, _fatalProducer));
        var failedForGood = _state == EventProducerState.Failed;
        var retriable = IsRetriable(error.Code) || (fatal && !failedForGood);
        var reason = !fatal
            ? error.Reason
            : failedForGood
                ? $"the producer hit a fatal error ({error.Reason}); it failed again after a rebuild and stays down: restart the service"
                : $"the producer hit a fatal error ({error.Reason}) and was rebuilt; publishing again can succeed. Messages published after " +
                  "the rebuild, for the same key too, may already be ahead of this one";
        return new EventPublishException(topic, partitionKey, DecodeId(messageId), fatal ? ErrorCode.Local_Fatal : error.Code, reason, retriable);
    }

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

        // Those it sent without an answer yet will never get a delivery report from it: fail them too, rather than
        // leave their callers (a dead-letter publish holding a consumer's slot, say) waiting until disposal.
        _pending.FailAll(
            p => ReferenceEquals(p.Producer, failed),
            p => p.Fail(new Error(ErrorCode.Local_Fatal, "the broker had not acknowledged it when the failed producer was replaced, so it may or may not be stored: publishing again can duplicate it", isFatal: true)));
    }

    private void OnLog(IProducer<byte[]?, byte[]?> producer, LogMessage message)
    {
        var level = message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);
        if (_logger.IsEnabled((LogLevel)level))
        {
            Log.Librdkafka(_logger, (LogLevel)level, message.Name, message.Facility, message.Message);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>One message's completion: set from librdkafka's delivery report. Continuations run off the delivery thread.</summary>
    private class PublishCompletion : TaskCompletionSource<PublishResult>, IPendingDelivery
    {
        private readonly EventProducer _owner;
        private readonly string _topic;
        private readonly string? _partitionKey;
        private readonly byte[] _messageId;

        public PublishCompletion(EventProducer owner, string topic, string? partitionKey, byte[] messageId)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            _owner = owner;
            _topic = topic;
            _partitionKey = partitionKey;
            _messageId = messageId;
            Handler = OnDelivery;
        }

        public Action<DeliveryReport<byte[]?, byte[]?>> Handler { get; }

        public int Shard { get; set; } = -1;

        public IPendingDelivery? Previous { get; set; }

        public IPendingDelivery? Next { get; set; }

        public object? Producer { get; set; }

        public void Fail(Error error)
        {
            if (_owner.Complete(this, success: false))
            {
                SetException(_owner.CreateException(_topic, _partitionKey, _messageId, error, this));
                OnCompleted();
            }
        }

        public void Cancel(CancellationToken cancellationToken)
        {
            if (_owner.Complete(this, success: false))
            {
                SetCanceled(cancellationToken);
                OnCompleted();
            }
        }

        /// <summary>Called once the task is complete.</summary>
        protected virtual void OnCompleted()
        {
        }

        private void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
        {
            if (report.Error.IsError)
            {
                Fail(report.Error);
            }
            else if (_owner.Complete(this, success: true))
            {
                SetResult(new PublishResult(report.Topic, report.Partition.Value, report.Offset.Value, report.Timestamp.UtcDateTime, _messageId));
                OnCompleted();
            }
        }
    }

    /// <summary>A completion whose caller passed a cancellation token: cancelling stops the wait for the acknowledgement.</summary>
    private sealed class CancellablePublishCompletion(EventProducer owner, string topic, string? partitionKey, byte[] messageId)
        : PublishCompletion(owner, topic, partitionKey, messageId)
    {
        private CancellationTokenRegistration _registration;

        public void Register(CancellationToken cancellationToken)
        {
            _registration = cancellationToken.UnsafeRegister(static (s, token) => ((CancellablePublishCompletion)s!).Cancel(token), this);
            if (Task.IsCompleted)
            {
                _registration.Unregister();
            }
        }

        protected override void OnCompleted() => _registration.Unregister();
    }

    /// <summary>The outcomes of a batch: completes once every message has one.</summary>
    private sealed class BatchCompletion
    {
        private readonly PublishOutcome[] _outcomes;
        private readonly TaskCompletionSource<PublishBatchResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private BatchSlot?[]? _slots;
        private CancellationTokenRegistration _registration;
        private int _remaining;

        public BatchCompletion(int count)
        {
            _outcomes = new PublishOutcome[count];
            _remaining = count + 1; // + 1 until every message is queued
        }

        public Task<PublishBatchResult> Task => _completion.Task;

        public void Set(PublishOutcome outcome)
        {
            _outcomes[outcome.Index] = outcome;
            Release();
        }

        /// <summary>Keeps the slot, so cancelling can reach it while it waits for its acknowledgement (only with a cancellable token).</summary>
        public void Track(BatchSlot slot, CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                (_slots ??= new BatchSlot?[_outcomes.Length])[slot.Index] = slot;
            }
        }

        public void AllQueued(CancellationToken cancellationToken)
        {
            if (_slots is not null)
            {
                // Cancelling stops the wait for the acknowledgements too (those messages may still be delivered).
                _registration = cancellationToken.UnsafeRegister(static (s, token) => ((BatchCompletion)s!).CancelWaiting(token), this);
            }

            Release();
        }

        private void CancelWaiting(CancellationToken cancellationToken)
        {
            foreach (var slot in _slots!)
            {
                slot?.CancelWaiting(cancellationToken);
            }
        }

        private void Release()
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _registration.Unregister();
                _completion.SetResult(new PublishBatchResult(_outcomes));
            }
        }
    }

    /// <summary>One message of a batch: reports into the shared <see cref="BatchCompletion"/>.</summary>
    private sealed class BatchSlot : IPendingDelivery
    {
        private readonly EventProducer _owner;
        private readonly BatchCompletion _batch;
        private readonly string _topic;
        private readonly string? _partitionKey;
        private readonly byte[] _messageId;

        public BatchSlot(EventProducer owner, BatchCompletion batch, int index, string topic, string? partitionKey, byte[] messageId)
        {
            _owner = owner;
            _batch = batch;
            Index = index;
            _topic = topic;
            _partitionKey = partitionKey;
            _messageId = messageId;
            Handler = OnDelivery;
        }

        public Action<DeliveryReport<byte[]?, byte[]?>> Handler { get; }

        public int Index { get; }

        public int Shard { get; set; } = -1;

        public IPendingDelivery? Previous { get; set; }

        public IPendingDelivery? Next { get; set; }

        public object? Producer { get; set; }

        public void Fail(Error error)
        {
            if (_owner.Complete(this, success: false))
            {
                _batch.Set(new PublishOutcome(Index, null, _owner.CreateException(_topic, _partitionKey, _messageId, error, this)));
            }
        }

        public void Cancel(CancellationToken cancellationToken)
        {
            if (_owner.Complete(this, success: false))
            {
                _batch.Set(new PublishOutcome(Index, null, CancelledBeforeQueued(_topic, _partitionKey, _messageId)));
            }
        }

        /// <summary>The batch's token was cancelled while this message waited for its acknowledgement.</summary>
        public void CancelWaiting(CancellationToken cancellationToken)
        {
            if (_owner.Complete(this, success: false))
            {
                _batch.Set(new PublishOutcome(Index, null, new EventPublishException(_topic, _partitionKey, DecodeId(_messageId), ErrorCode.Local_Fail,
                    "cancelled while waiting for the broker's acknowledgement; it may still be delivered", isRetriable: true)));
            }
        }

        private void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
        {
            if (report.Error.IsError)
            {
                Fail(report.Error);
            }
            else if (_owner.Complete(this, success: true))
            {
                _batch.Set(new PublishOutcome(Index, new PublishResult(report.Topic, report.Partition.Value, report.Offset.Value, report.Timestamp.UtcDateTime, _messageId), null));
            }
        }
    }

    /// <summary>
    /// The messages not yet acknowledged, so closing can fail them instead of leaving callers waiting forever.
    /// Intrusive lists in shards, each with its own lock: no allocation, and publishers on different threads rarely meet.
    /// </summary>
    private sealed class PendingRegistry
    {
        private const int ShardCount = 16;
        private readonly Shard[] _shards = Enumerable.Range(0, ShardCount).Select(_ => new Shard()).ToArray();

        public void Add(IPendingDelivery pending)
        {
            var index = Environment.CurrentManagedThreadId & (ShardCount - 1);
            var shard = _shards[index];
            lock (shard)
            {
                pending.Shard = index;
                pending.Next = shard.Head;
                if (shard.Head is not null)
                {
                    shard.Head.Previous = pending;
                }

                shard.Head = pending;
            }
        }

        /// <summary>Removes the message; returns false if it was not registered (already completed).</summary>
        public bool Remove(IPendingDelivery pending)
        {
            var index = pending.Shard;
            if (index < 0)
            {
                return false;
            }

            var shard = _shards[index];
            lock (shard)
            {
                if (pending.Shard < 0)
                {
                    return false;
                }

                if (pending.Previous is not null)
                {
                    pending.Previous.Next = pending.Next;
                }
                else
                {
                    shard.Head = pending.Next;
                }

                if (pending.Next is not null)
                {
                    pending.Next.Previous = pending.Previous;
                }

                pending.Previous = pending.Next = null;
                pending.Shard = -1;
                return true;
            }
        }

        public void FailAll(Func<IPendingDelivery, bool> which, Action<IPendingDelivery> fail)
        {
            foreach (var shard in _shards)
            {
                List<IPendingDelivery> left = [];
                lock (shard)
                {
                    for (var c = shard.Head; c is not null; c = c.Next)
                    {
                        if (which(c))
                        {
                            left.Add(c);
                        }
                    }
                }

                left.ForEach(fail);
            }
        }

        private sealed class Shard
        {
            public IPendingDelivery? Head { get; set; }
        }
    }

    /// <summary>The <c>timestamp</c> header, encoded once per second.</summary>
    private sealed class EpochSecondsHeader
    {
        private Entry _entry = new(-1, new Header(EventHeaderNames.Timestamp, []));

        public Header Current()
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var entry = Volatile.Read(ref _entry);
            if (entry.Second != now)
            {
                entry = new Entry(now, new Header(EventHeaderNames.Timestamp, Encoding.ASCII.GetBytes(now.ToString(System.Globalization.CultureInfo.InvariantCulture))));
                Volatile.Write(ref _entry, entry);
            }

            return entry.Header;
        }

        private sealed record Entry(long Second, Header Header);
    }
}
