using System.Collections.Concurrent;
using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Diagnostics;
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
/// Confluent producer is rebuilt once (<see cref="EventProducerState.Degraded"/> until it delivers); a second one leaves
/// the producer <see cref="EventProducerState.Failed"/>.</para>
/// <para>Failures tell the truth (<see cref="Health"/>, <see cref="EventPublishException.Diagnosis"/>): while TLS or
/// authentication fails, pending and new publishes fail within seconds, not retriable, with the diagnosis naming the
/// variables to check; a refused ACL fails at once, not retriable; an unreachable cluster keeps message.timeout.ms (it
/// may come back), and the exception then says so.</para>
/// <para>Disposing flushes for at most <c>KAFKA_PRODUCER_CLOSE_TIMEOUT</c> and logs how many messages were not delivered.</para>
/// <para>Inside, a publish flows one way: the record builder (<c>RecordBuilder</c>: serializer, standard headers) →
/// the sender (<c>MessageSender</c>) → librdkafka through the client (<c>ProducerClient</c>, which rebuilds the
/// Confluent producer after a fatal error) or the backlog when the local queue is full → the delivery tracker
/// (<c>DeliveryTracker</c>) and each message's completion. This type is the facade.</para>
/// </remarks>
public sealed class EventProducer : IEventProducer, IDisposable, IAsyncDisposable
{
    private static readonly object SharedGate = new();
    private static EventProducer? shared;

    private readonly EventBusOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, string> _topics = new(StringComparer.Ordinal);
    private readonly RecordBuilder _builder;
    private readonly ProducerClient _client;
    private readonly ProduceBacklog _backlog;
    private readonly DeliveryTracker _tracker;
    private readonly ImmediateSender _immediate;
    private readonly MessageSender _sender;
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
        ConfigurationLog.WarningsOnce(_logger, options);
        _builder = new RecordBuilder(options, serializer ?? JsonEventSerializer.CreateDefault());
        // The tracker exists before any rebuild can happen (a rebuild follows a fatal error, after construction).
        _client = new ProducerClient(options, _logger, failed => _tracker!.FailUnreported(failed), (discarded, error) => _tracker!.FailDiscarded(discarded, error), () => _tracker?.InFlight ?? 0);
        _backlog = new ProduceBacklog(_client.TryProduce, _client.MessageTimeout, () => Log.QueueFull(_logger, _client.ClientId));
        _tracker = new DeliveryTracker(_client, _backlog);
        _immediate = new ImmediateSender(() => _client.Producer, "eventbus-producer-send");
        _sender = new MessageSender(_client, _tracker, _backlog, _immediate, _builder);
    }

    /// <summary>Gets the client.id of the Confluent producer in use.</summary>
    public string ClientId => _client.ClientId;

    /// <summary>Gets the handle of the Confluent producer in use (for dependent clients and tests).</summary>
    internal Handle Handle => _client.Producer.Handle;

    /// <summary>Gets a value indicating whether queued messages are sent without lingering (a synchronous publish is waiting).</summary>
    internal bool IsSendingImmediately => _immediate.IsSending;

    /// <summary>Gets the producer's state (<see cref="Health"/> says why and since when).</summary>
    public EventProducerState State => _client.State;

    /// <summary>
    /// Gets the producer's health: <see cref="KafkaHealthStatus.Degraded"/> with the diagnosis (unreachable, TLS,
    /// authentication, authorization, rebuilt after a fatal error) and since when, the last error and when it was
    /// seen. Back to healthy by itself with the next delivery. This is what health checks read.
    /// </summary>
    public KafkaClientHealth Health => GetHealth();

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
    public EventProducerStatistics GetStatistics()
    {
        var health = GetHealth();
        return new(_tracker.Sent, _tracker.Failed, _tracker.InFlight, _client.State, _client.Rebuilds, health.LastError?.Message, health.LastErrorAt, health);
    }

    /// <summary>
    /// Publishes an already-encoded record (value bytes and headers as given, standard headers added where absent):
    /// the dead-letter path, which must keep the original record intact.
    /// </summary>
    internal Task<PublishResult> PublishRawAsync(string topic, byte[]? key, byte[]? value, Headers headers, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var messageId = _builder.AddStandardHeaders(headers, null, null);
        var record = new SerializedRecord(key, value, headers);
        return _sender.SendAsync(topic, key is null ? null : System.Text.Encoding.UTF8.GetString(key), messageId, record, cancellationToken);
    }

    /// <summary>Builds a record as a publish would (for tests of the headers and the serialization).</summary>
    internal SerializedRecord CreateRecord<T>(T message, JsonTypeInfo<T>? typeInfo, string? partitionKey, IEnumerable<KeyValuePair<string, string>>? extraHeaders, out byte[] messageId) =>
        _builder.CreateRecord(message, typeInfo, partitionKey, extraHeaders, out messageId);

    /// <summary>Flushes for at most the close timeout, logs what was not delivered and releases the Confluent producer. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _immediate.Dispose();
        var closeTimeout = _options.Producer.CloseTimeout;
        var undelivered = _client.Close(closeTimeout, (int)_tracker.InFlight);
        _backlog.SignalRoom();

        // Delivery reports of messages still unacknowledged will never come: fail them rather than leave callers waiting.
        var failedAtClose = _tracker.FailAll(new Error(ErrorCode.Local_Destroy,
            $"the producer was closed before the broker acknowledged the message (flushed for {closeTimeout.TotalSeconds:0.###} s, {EventBusEnvironmentVariables.ProducerCloseTimeout}); it may not have been delivered"));

        // The closing line says what happened: delivered, failed, and not delivered by the close.
        undelivered = Math.Max(undelivered, failedAtClose);
        var failed = _tracker.Failed - failedAtClose;
        if (undelivered > 0 || failed > 0)
        {
            Log.ClosedWithUndelivered(_logger, _client.ClientId, closeTimeout.TotalSeconds, _tracker.Sent, failed, undelivered);
        }
        else
        {
            Log.Closed(_logger, _client.ClientId, _tracker.Sent);
        }
    }

    /// <summary>Flushes and closes off the calling thread (flushing blocks for up to the close timeout). Idempotent.</summary>
    /// <returns>A task that completes when the producer is closed.</returns>
    public ValueTask DisposeAsync() =>
        Volatile.Read(ref _disposed) != 0 ? ValueTask.CompletedTask : new ValueTask(Task.Run(Dispose));

    /// <inheritdoc />
    public override string ToString() => $"EventProducer({_client.ClientId}, {_client.State})";

    private KafkaClientHealth GetHealth()
    {
        var health = _client.Monitor.GetHealth();
        return _client.State switch
        {
            EventProducerState.Closed when health.Status != KafkaHealthStatus.Closed => health with { Status = KafkaHealthStatus.Closed, Diagnosis = null },
            _ => health,
        };
    }

    /// <summary>Whether publishing again can succeed after this error (see <see cref="EventPublishException.IsRetriable"/>).</summary>
    internal static bool IsRetriable(ErrorCode code) => PublishErrors.IsRetriable(code);

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
        var record = _builder.CreateRecord(message, typeInfo, partitionKey, headers, out var messageId);
        return _sender.SendAsync(topic, partitionKey, messageId, record, cancellationToken);
    }

    private PublishResult PublishCore<T>(string topic, T message, JsonTypeInfo<T>? typeInfo, string? partitionKey, IEnumerable<KeyValuePair<string, string>>? headers)
    {
        ThrowIfDisposed();
        var record = _builder.CreateRecord(message, typeInfo, partitionKey, headers, out var messageId);
        return _sender.Send(topic, partitionKey, messageId, record, _options.Producer.FlushTimeout);
    }

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

        return await _sender.SendBatchAsync(topic, items, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
