using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>
/// The <see cref="IEventProducer"/> a handler gets in exactly-once mode (<see cref="EventContext{T}.Producer"/>): it
/// builds each record as <see cref="EventProducer"/> would and holds it with the current attempt. An attempt that
/// succeeds hands its records to the commit cycle, which produces them into the transaction with the record's offset;
/// an attempt that throws takes them with it. Nothing is sent before that, so every publish completes at once and its
/// <see cref="PublishResult"/> has no partition or offset yet (-1 and -1001).
/// </summary>
/// <remarks>Thread-safe: a handler may publish from several tasks at once. Publishing after the handler returned throws.</remarks>
internal sealed class TransactionalPublisher(KafkaTopicOptions topics, RecordBuilder builder, Func<EventProducerStatistics> statistics) : IEventProducer
{
    private readonly object _gate = new();
    private List<OutgoingRecord>? _attempt;

    /// <summary>Opens an attempt: publishes from now on belong to it.</summary>
    public void BeginAttempt()
    {
        lock (_gate)
        {
            _attempt = [];
        }
    }

    /// <summary>Closes the attempt and returns what it published (the attempt succeeded).</summary>
    /// <returns>The records, in publish order.</returns>
    public List<OutgoingRecord> EndAttempt()
    {
        lock (_gate)
        {
            var records = _attempt ?? [];
            _attempt = null;
            return records;
        }
    }

    /// <summary>Closes the attempt and drops what it published (the attempt failed).</summary>
    public void DiscardAttempt()
    {
        lock (_gate)
        {
            _attempt = null;
        }
    }

    /// <inheritdoc />
    public Task<PublishResult> PublishAsync<T>(string topicKey, T message, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Buffer(topics.GetTopicName(topicKey), message, null, partitionKey, headers));

    /// <inheritdoc />
    public Task<PublishResult> PublishAsync<T>(string topicKey, T message, JsonTypeInfo<T> jsonTypeInfo, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonTypeInfo);
        return Task.FromResult(Buffer(topics.GetTopicName(topicKey), message, jsonTypeInfo, partitionKey, headers));
    }

    /// <inheritdoc />
    public Task<PublishResult> PublishToTopicAsync<T>(string topicName, T message, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicName);
        return Task.FromResult(Buffer(topicName, message, null, partitionKey, headers));
    }

    /// <inheritdoc />
    public PublishResult Publish<T>(string topicKey, T message, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        Buffer(topics.GetTopicName(topicKey), message, null, partitionKey, headers);

    /// <inheritdoc />
    public PublishResult Publish<T>(string topicKey, T message, JsonTypeInfo<T> jsonTypeInfo, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(jsonTypeInfo);
        return Buffer(topics.GetTopicName(topicKey), message, jsonTypeInfo, partitionKey, headers);
    }

    /// <inheritdoc />
    public Task<PublishBatchResult> PublishBatchAsync<T>(string topicKey, IEnumerable<EventMessage<T>> messages, CancellationToken cancellationToken = default) =>
        Task.FromResult(BufferBatch(topics.GetTopicName(topicKey), messages, null));

    /// <inheritdoc />
    public Task<PublishBatchResult> PublishBatchAsync<T>(string topicKey, IEnumerable<EventMessage<T>> messages, JsonTypeInfo<T> jsonTypeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonTypeInfo);
        return Task.FromResult(BufferBatch(topics.GetTopicName(topicKey), messages, jsonTypeInfo));
    }

    /// <inheritdoc />
    public EventProducerStatistics GetStatistics() => statistics();

    private PublishBatchResult BufferBatch<T>(string topic, IEnumerable<EventMessage<T>> messages, JsonTypeInfo<T>? typeInfo)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var outcomes = new List<PublishOutcome>();
        foreach (var message in messages)
        {
            outcomes.Add(new PublishOutcome(outcomes.Count, Buffer(topic, message.Message, typeInfo, message.PartitionKey, message.Headers), null));
        }

        return new PublishBatchResult([.. outcomes]);
    }

    private PublishResult Buffer<T>(string topic, T message, JsonTypeInfo<T>? typeInfo, string? partitionKey, IEnumerable<KeyValuePair<string, string>>? headers)
    {
        var record = builder.CreateRecord(message, typeInfo, partitionKey, headers, out var messageId);
        lock (_gate)
        {
            if (_attempt is null)
            {
                throw new InvalidOperationException(
                    "EventContext.Producer publishes inside the attempt of the handler it was given to, and that attempt is over: " +
                    "publish before the handler's task completes (await every publish).");
            }

            _attempt.Add(new OutgoingRecord(topic, record.ToMessage()));
        }

        return new PublishResult(topic, Partition.Any.Value, Offset.Unset.Value, DateTimeOffset.UtcNow, messageId);
    }
}
