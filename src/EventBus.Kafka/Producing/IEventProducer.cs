using System.Text.Json.Serialization.Metadata;

namespace EventBus.Kafka.Producing;

/// <summary>
/// Publishes events to Kafka. Implemented by <see cref="EventProducer"/>; depend on this interface to mock publishing in tests.
/// </summary>
/// <remarks>
/// <para>Every member is thread-safe. Topics are named by logical key: <c>"STAGE_COMPLETE"</c> is the topic in
/// <c>KAFKA_TOPIC_STAGE_COMPLETE</c>. An unknown key throws <see cref="Configuration.EventBusConfigurationException"/>
/// naming the variable to set.</para>
/// <para>Payloads: <c>byte[]</c> and <see cref="string"/> pass through untouched; other types go through the
/// producer's <see cref="Serialization.IEventSerializer"/> (System.Text.Json by default), or through the given
/// <see cref="JsonTypeInfo{T}"/> (trimming and native-AOT friendly).</para>
/// </remarks>
public interface IEventProducer
{
    /// <summary>Publishes a message and completes when the broker has acknowledged it. Many may be in flight at once.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicKey">The logical topic key (<c>KAFKA_TOPIC_{KEY}</c>).</param>
    /// <param name="message">The payload.</param>
    /// <param name="partitionKey">The record key: same key, same partition, order kept. <see langword="null"/> spreads messages.</param>
    /// <param name="headers">Headers added to the standard ones; a header with a standard name replaces it.</param>
    /// <param name="cancellationToken">Cancels the wait: for room in a full local queue (the message is then not sent), or for the broker's acknowledgement (a queued message cannot be recalled: it may still be delivered).</param>
    /// <returns>Where the broker stored the message.</returns>
    /// <exception cref="EventPublishException">The message was not published; <see cref="EventPublishException.IsRetriable"/> says if trying again can help.</exception>
    /// <exception cref="Configuration.EventBusConfigurationException">The topic key is not configured.</exception>
    Task<PublishResult> PublishAsync<T>(string topicKey, T message, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default);

    /// <summary>Publishes a message serialized with a source-generated <see cref="JsonTypeInfo{T}"/> and completes when the broker has acknowledged it.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicKey">The logical topic key (<c>KAFKA_TOPIC_{KEY}</c>).</param>
    /// <param name="message">The payload.</param>
    /// <param name="jsonTypeInfo">The JSON contract of <typeparamref name="T"/>.</param>
    /// <param name="partitionKey">The record key.</param>
    /// <param name="headers">Headers added to the standard ones.</param>
    /// <param name="cancellationToken">Cancels the wait: for room in a full local queue (the message is then not sent), or for the broker's acknowledgement (it may still be delivered).</param>
    /// <returns>Where the broker stored the message.</returns>
    /// <exception cref="EventPublishException">The message was not published.</exception>
    /// <exception cref="Configuration.EventBusConfigurationException">The topic key is not configured.</exception>
    Task<PublishResult> PublishAsync<T>(string topicKey, T message, JsonTypeInfo<T> jsonTypeInfo, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default);

    /// <summary>Publishes to a topic given by name rather than by key (e.g. a reply topic named in a request).</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicName">The Kafka topic name.</param>
    /// <param name="message">The payload.</param>
    /// <param name="partitionKey">The record key.</param>
    /// <param name="headers">Headers added to the standard ones.</param>
    /// <param name="cancellationToken">Cancels the wait: for room in a full local queue (the message is then not sent), or for the broker's acknowledgement (it may still be delivered).</param>
    /// <returns>Where the broker stored the message.</returns>
    /// <exception cref="EventPublishException">The message was not published.</exception>
    Task<PublishResult> PublishToTopicAsync<T>(string topicName, T message, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes a message and blocks until the broker has acknowledged it, for at most the flush timeout
    /// (<c>KAFKA_PRODUCER_FLUSH_TIMEOUT</c>).
    /// </summary>
    /// <remarks>
    /// The message is sent without waiting for linger.ms: while any synchronous publish waits, the producer sends
    /// what it has queued at once (as a flush does), and goes back to batching when none is waiting. The call spins
    /// (yielding) for about twice the recent acknowledgement time, at most 0.25 ms, before it blocks, and blocks at
    /// once when acknowledgements have recently taken longer than that.
    /// </remarks>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicKey">The logical topic key.</param>
    /// <param name="message">The payload.</param>
    /// <param name="partitionKey">The record key.</param>
    /// <param name="headers">Headers added to the standard ones.</param>
    /// <returns>Where the broker stored the message.</returns>
    /// <exception cref="EventPublishException">The message failed, or was not acknowledged within the flush timeout
    /// (it stays queued and may still be delivered).</exception>
    /// <exception cref="Configuration.EventBusConfigurationException">The topic key is not configured.</exception>
    PublishResult Publish<T>(string topicKey, T message, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null);

    /// <summary>Publishes a message serialized with <paramref name="jsonTypeInfo"/> and blocks until it is acknowledged or the flush timeout passes.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicKey">The logical topic key.</param>
    /// <param name="message">The payload.</param>
    /// <param name="jsonTypeInfo">The JSON contract of <typeparamref name="T"/>.</param>
    /// <param name="partitionKey">The record key.</param>
    /// <param name="headers">Headers added to the standard ones.</param>
    /// <returns>Where the broker stored the message.</returns>
    /// <exception cref="EventPublishException">The message failed or was not acknowledged in time.</exception>
    /// <exception cref="Configuration.EventBusConfigurationException">The topic key is not configured.</exception>
    PublishResult Publish<T>(string topicKey, T message, JsonTypeInfo<T> jsonTypeInfo, string? partitionKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null);

    /// <summary>
    /// Publishes messages together and reports what happened to each: one failing message (too large, say)
    /// does not stop the others. Completes when every message is acknowledged or failed.
    /// </summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicKey">The logical topic key.</param>
    /// <param name="messages">The messages.</param>
    /// <param name="cancellationToken">Cancels the wait: messages not yet queued then fail as cancelled; queued ones not yet acknowledged fail as cancelled too, and may still be delivered.</param>
    /// <returns>One outcome per message, in order.</returns>
    /// <exception cref="Configuration.EventBusConfigurationException">The topic key is not configured.</exception>
    Task<PublishBatchResult> PublishBatchAsync<T>(string topicKey, IEnumerable<EventMessage<T>> messages, CancellationToken cancellationToken = default);

    /// <summary>Publishes messages serialized with <paramref name="jsonTypeInfo"/> together and reports what happened to each.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topicKey">The logical topic key.</param>
    /// <param name="messages">The messages.</param>
    /// <param name="jsonTypeInfo">The JSON contract of <typeparamref name="T"/>.</param>
    /// <param name="cancellationToken">Cancels the wait: for room in a full local queue (the message is then not sent), or for the broker's acknowledgement (it may still be delivered).</param>
    /// <returns>One outcome per message, in order.</returns>
    /// <exception cref="Configuration.EventBusConfigurationException">The topic key is not configured.</exception>
    Task<PublishBatchResult> PublishBatchAsync<T>(string topicKey, IEnumerable<EventMessage<T>> messages, JsonTypeInfo<T> jsonTypeInfo, CancellationToken cancellationToken = default);

    /// <summary>Gets a snapshot of the producer's counters and health.</summary>
    /// <returns>The statistics.</returns>
    EventProducerStatistics GetStatistics();
}
