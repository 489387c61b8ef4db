using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;
using EventBus.Kafka.Serialization;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// Where the records of one topic go: how to deserialize them and which handler to call. Everything a route decides
/// per type (pass-through, null acceptance, JSON) is decided once, when it is built.
/// </summary>
internal abstract class ConsumerRoute(string topic, int batchSize, TimeSpan batchTimeout)
{
    /// <summary>What <see cref="CreateContext"/> returns for a null message the handler did not opt in to (skip and commit).</summary>
    public static readonly object NullMessage = new();

    public string Topic { get; } = topic;

    /// <summary>Gets the batch size; 1 for a per-record handler.</summary>
    public int BatchSize { get; } = batchSize;

    public TimeSpan BatchTimeout { get; } = batchTimeout;

    public bool IsBatch => this is IBatchRoute;

    /// <summary>Gets a value indicating whether the handler receives null messages (tombstones, JSON <c>null</c>).</summary>
    public abstract bool AcceptsNull { get; }

    /// <summary>
    /// Deserializes a record into its context, or returns <see cref="NullMessage"/> for a null message the handler does
    /// not accept; throws <see cref="DeserializationFailedException"/> when the value cannot be a message.
    /// </summary>
    public abstract object CreateContext(ConsumeResult<byte[]?, byte[]?> record);

    public abstract void SetAttempt(object context, int attempt);

    public abstract Task InvokeAsync(object context, CancellationToken cancellationToken);

    public abstract Task InvokeBatchAsync(IReadOnlyList<object> contexts, CancellationToken cancellationToken);
}

/// <summary>Marks routes with a batch handler.</summary>
internal interface IBatchRoute;

/// <summary>A topic handled one record at a time.</summary>
internal sealed class SingleRoute<T>(string topic, EventMessageHandler<T> handler, MessageReader<T> reader)
    : ConsumerRoute(topic, 1, TimeSpan.Zero)
{
    /// <summary>Initializes a new instance of the <see cref="SingleRoute{T}"/> class.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="serializer">The serializer.</param>
    /// <param name="typeInfo">A source-generated JSON contract, or <see langword="null"/>.</param>
    /// <param name="nullableOptIn">Whether the handler takes null messages of a reference type.</param>
    public SingleRoute(string topic, EventMessageHandler<T> handler, IEventSerializer serializer, JsonTypeInfo<T>? typeInfo, bool nullableOptIn = false)
        : this(topic, handler, new MessageReader<T>(serializer, typeInfo, nullableOptIn))
    {
    }

    public override bool AcceptsNull => reader.AcceptsNull;

    public override object CreateContext(ConsumeResult<byte[]?, byte[]?> record) =>
        reader.TryRead(record, out var message) || reader.AcceptsNull ? new EventContext<T>(message, record) : NullMessage;

    public override void SetAttempt(object context, int attempt) => ((EventContext<T>)context).Attempt = attempt;

    public override Task InvokeAsync(object context, CancellationToken cancellationToken) => handler((EventContext<T>)context, cancellationToken);

    public override Task InvokeBatchAsync(IReadOnlyList<object> contexts, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>A topic handled in batches.</summary>
internal sealed class BatchRoute<T>(string topic, EventBatchHandler<T> handler, int batchSize, TimeSpan batchTimeout, MessageReader<T> reader)
    : ConsumerRoute(topic, batchSize, batchTimeout), IBatchRoute
{
    /// <summary>Initializes a new instance of the <see cref="BatchRoute{T}"/> class.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="handler">The batch handler.</param>
    /// <param name="batchSize">The largest batch.</param>
    /// <param name="batchTimeout">How long a batch waits to fill.</param>
    /// <param name="serializer">The serializer.</param>
    /// <param name="typeInfo">A source-generated JSON contract, or <see langword="null"/>.</param>
    /// <param name="nullableOptIn">Whether the handler takes null messages of a reference type.</param>
    public BatchRoute(string topic, EventBatchHandler<T> handler, int batchSize, TimeSpan batchTimeout, IEventSerializer serializer, JsonTypeInfo<T>? typeInfo, bool nullableOptIn = false)
        : this(topic, handler, batchSize, batchTimeout, new MessageReader<T>(serializer, typeInfo, nullableOptIn))
    {
    }

    public override bool AcceptsNull => reader.AcceptsNull;

    public override object CreateContext(ConsumeResult<byte[]?, byte[]?> record) =>
        reader.TryRead(record, out var message) || reader.AcceptsNull ? new EventContext<T>(message, record) : NullMessage;

    public override void SetAttempt(object context, int attempt) => ((EventContext<T>)context).Attempt = attempt;

    public override Task InvokeAsync(object context, CancellationToken cancellationToken) => handler([(EventContext<T>)context], cancellationToken);

    public override Task InvokeBatchAsync(IReadOnlyList<object> contexts, CancellationToken cancellationToken) =>
        handler(contexts.Select(c => (EventContext<T>)c).ToList(), cancellationToken);
}

/// <summary>A record could not be deserialized: it goes to the dead-letter topic without retries.</summary>
internal sealed class DeserializationFailedException(string message, Exception inner) : Exception(message, inner);
