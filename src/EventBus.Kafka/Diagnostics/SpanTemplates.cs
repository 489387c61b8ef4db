using System.Collections.Concurrent;

namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// The span templates of one operation, one per destination, made once instead of once per message: the name
/// <c>{operation} {destination}</c> and the constant attributes. One per producer or consumer (its topics).
/// </summary>
/// <param name="operation">The operation (<see cref="TelemetryTags.Send"/>, <see cref="TelemetryTags.Process"/>).</param>
/// <param name="consumerGroup">The consumer group of a process span (<see langword="null"/> for send spans).</param>
internal sealed class SpanTemplates(string operation, string? consumerGroup = null)
{
    private readonly ConcurrentDictionary<string, SpanTemplate> _templates = new(StringComparer.Ordinal);

    /// <summary>The template for a destination.</summary>
    /// <param name="destination">The topic.</param>
    /// <returns>Its template.</returns>
    public SpanTemplate Of(string destination) =>
        _templates.TryGetValue(destination, out var template) ? template : _templates.GetOrAdd(destination, Create);

    private SpanTemplate Create(string destination)
    {
        List<KeyValuePair<string, object?>> tags =
        [
            new(TelemetryTags.MessagingSystem, TelemetryTags.Kafka),
            new(TelemetryTags.OperationType, operation),
            new(TelemetryTags.OperationName, operation),
            new(TelemetryTags.DestinationName, destination),
        ];
        if (consumerGroup is not null)
        {
            tags.Add(new(TelemetryTags.ConsumerGroup, consumerGroup));
        }

        return new SpanTemplate(operation + " " + destination, [.. tags]);
    }
}
