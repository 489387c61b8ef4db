using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;
using EventBus.Kafka.Serialization;

namespace EventBus.Kafka.Consuming;

/// <summary>Where the records of one topic go: how to deserialize them and which handler to call.</summary>
internal abstract class ConsumerRoute(string topic, int batchSize, TimeSpan batchTimeout)
{
    public string Topic { get; } = topic;

    /// <summary>Gets the batch size; 1 for a per-record handler.</summary>
    public int BatchSize { get; } = batchSize;

    public TimeSpan BatchTimeout { get; } = batchTimeout;

    public bool IsBatch => this is IBatchRoute;

    /// <summary>Deserializes a record into its context; throws <see cref="DeserializationFailedException"/> when it cannot.</summary>
    public abstract object CreateContext(ConsumeResult<byte[]?, byte[]?> record);

    public abstract void SetAttempt(object context, int attempt);

    public abstract Task InvokeAsync(object context, CancellationToken cancellationToken);

    public abstract Task InvokeBatchAsync(IReadOnlyList<object> contexts, CancellationToken cancellationToken);

    protected static T Deserialize<T>(ConsumeResult<byte[]?, byte[]?> record, IEventSerializer serializer, JsonTypeInfo<T>? typeInfo)
    {
        var value = record.Message.Value;
        try
        {
            if (typeof(T) == typeof(byte[]))
            {
                return (T)(object?)value!;
            }

            if (typeof(T) == typeof(string))
            {
                return (T)(object?)(value is null ? null : Encoding.UTF8.GetString(value))!;
            }

            if (value is null)
            {
                return default!;
            }

            return typeInfo is not null ? JsonSerializer.Deserialize(value, typeInfo)! : serializer.Deserialize<T>(value);
        }
#pragma warning disable CA1031 // Whatever a serializer or a payload's constructor throws, the record cannot become a T.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            throw new DeserializationFailedException(
                $"The value of {record.Topic}[{record.Partition.Value}]@{record.Offset.Value} is not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}

/// <summary>Marks routes with a batch handler.</summary>
internal interface IBatchRoute;

/// <summary>A topic handled one record at a time.</summary>
internal sealed class SingleRoute<T>(string topic, EventMessageHandler<T> handler, IEventSerializer serializer, JsonTypeInfo<T>? typeInfo)
    : ConsumerRoute(topic, 1, TimeSpan.Zero)
{
    public override object CreateContext(ConsumeResult<byte[]?, byte[]?> record) => new EventContext<T>(Deserialize(record, serializer, typeInfo), record);

    public override void SetAttempt(object context, int attempt) => ((EventContext<T>)context).Attempt = attempt;

    public override Task InvokeAsync(object context, CancellationToken cancellationToken) => handler((EventContext<T>)context, cancellationToken);

    public override Task InvokeBatchAsync(IReadOnlyList<object> contexts, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>A topic handled in batches.</summary>
internal sealed class BatchRoute<T>(string topic, EventBatchHandler<T> handler, int batchSize, TimeSpan batchTimeout, IEventSerializer serializer, JsonTypeInfo<T>? typeInfo)
    : ConsumerRoute(topic, batchSize, batchTimeout), IBatchRoute
{
    public override object CreateContext(ConsumeResult<byte[]?, byte[]?> record) => new EventContext<T>(Deserialize(record, serializer, typeInfo), record);

    public override void SetAttempt(object context, int attempt) => ((EventContext<T>)context).Attempt = attempt;

    public override Task InvokeAsync(object context, CancellationToken cancellationToken) => handler([(EventContext<T>)context], cancellationToken);

    public override Task InvokeBatchAsync(IReadOnlyList<object> contexts, CancellationToken cancellationToken) =>
        handler(contexts.Select(c => (EventContext<T>)c).ToList(), cancellationToken);
}

/// <summary>A record could not be deserialized: it goes to the dead-letter topic without retries.</summary>
internal sealed class DeserializationFailedException(string message, Exception inner) : Exception(message, inner);
