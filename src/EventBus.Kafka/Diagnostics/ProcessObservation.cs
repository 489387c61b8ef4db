using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// One observed processing: the <c>process {topic}</c> span, kind Consumer, and the consume metrics. Created only while
/// something listens (<see cref="Start"/> returns <see langword="null"/> otherwise, so the unobserved path allocates
/// nothing); disposing it ends the span and records the duration.
/// </summary>
/// <remarks>
/// A single record's span is a child of the producer's send span (the record's <c>traceparent</c>): the trace shows
/// send → process → the dead-letter send. A batch's span, handling many records, cannot have them all as parents: it
/// links to each record's context instead. A listener that throws costs its span or measurement, never the record's
/// processing: the observation swallows its exception (telemetry is not the data path).
/// </remarks>
internal sealed class ProcessObservation : IDisposable
{
    private readonly Activity? _activity;
    private readonly ConsumerTelemetry _telemetry;
    private readonly string _topic;
    private readonly int _partition;
    private readonly long _started;
    private string? _errorType;

    private ProcessObservation(Activity? activity, ConsumerTelemetry telemetry, string topic, int partition)
    {
        _activity = activity;
        _telemetry = telemetry;
        _topic = topic;
        _partition = partition;
        _started = Stopwatch.GetTimestamp();
    }

    /// <summary>Starts observing one record's processing, when anything listens.</summary>
    /// <param name="telemetry">The consumer's telemetry (<see langword="null"/> in tests that build parts alone).</param>
    /// <param name="record">The record.</param>
    /// <returns>The observation, or <see langword="null"/> when nothing listens.</returns>
    public static ProcessObservation? Start(ConsumerTelemetry? telemetry, ConsumeResult<byte[]?, byte[]?> record)
    {
        if (telemetry is null || !Telemetry.IsProcessObserved)
        {
            return null;
        }

        var partition = record.Partition.Value;
        Activity? activity = null;
        try
        {
            if (Telemetry.Source.HasListeners())
            {
                TraceContext.TryExtract(record.Message.Headers, out var parent);
                var span = telemetry.ProcessSpan(record.Topic);
                activity = Telemetry.Source.StartActivity(ActivityKind.Consumer, parent, span.Tags, name: span.Name);
                if (activity is { IsAllDataRequested: true })
                {
                    activity.AddTag(TelemetryTags.PartitionId, TelemetryTags.Partition(partition));
                    activity.AddTag(TelemetryTags.Offset, record.Offset.Value);
                    if (record.Message.Key is { } key)
                    {
                        activity.AddTag(TelemetryTags.MessageKey, Encoding.UTF8.GetString(key));
                    }

                    if (record.Message.Headers is { Count: > 0 } headers && headers.TryGetLastBytes(EventHeaderNames.MessageId, out var id) && id is not null)
                    {
                        activity.AddTag(TelemetryTags.MessageId, Encoding.UTF8.GetString(id));
                    }

                    activity.AddTag(TelemetryTags.BodySize, record.Message.Value?.Length ?? 0);
                }
            }

            Consumed(telemetry, record.Topic, partition, 1);
        }
#pragma warning disable CA1031 // A listener that throws costs its span or measurement, never the record (see remarks).
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return new ProcessObservation(activity, telemetry, record.Topic, partition);
    }

    /// <summary>Starts observing a batch's processing, when anything listens: one span linked to every record's context.</summary>
    /// <param name="telemetry">The consumer's telemetry.</param>
    /// <param name="records">The records (one partition's).</param>
    /// <returns>The observation, or <see langword="null"/> when nothing listens.</returns>
    public static ProcessObservation? StartBatch(ConsumerTelemetry? telemetry, IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> records)
    {
        if (telemetry is null || records.Count == 0 || !Telemetry.IsProcessObserved)
        {
            return null;
        }

        var first = records[0];
        var partition = first.Partition.Value;
        Activity? activity = null;
        try
        {
            if (Telemetry.Source.HasListeners())
            {
                List<ActivityLink> links = [];
                foreach (var record in records)
                {
                    if (TraceContext.TryExtract(record.Message.Headers, out var context))
                    {
                        links.Add(new ActivityLink(context));
                    }
                }

                var span = telemetry.ProcessSpan(first.Topic);
                activity = Telemetry.Source.StartActivity(ActivityKind.Consumer, default, span.Tags, links, name: span.Name);
                if (activity is { IsAllDataRequested: true })
                {
                    activity.AddTag(TelemetryTags.PartitionId, TelemetryTags.Partition(partition));
                    activity.AddTag(TelemetryTags.BatchCount, records.Count);
                }
            }

            Consumed(telemetry, first.Topic, partition, records.Count);
        }
#pragma warning disable CA1031 // A listener that throws costs its span or measurement, never the batch (see remarks).
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return new ProcessObservation(activity, telemetry, first.Topic, partition);
    }

    /// <summary>The handler failed for good (the record goes to the dead-letter topic).</summary>
    /// <param name="error">Why.</param>
    public void Failed(Exception error)
    {
        _errorType = TelemetryTags.ErrorTypeOf(error);
        if (_activity is not null)
        {
            _activity.SetTag(TelemetryTags.ErrorType, _errorType);
            _activity.SetStatus(ActivityStatusCode.Error, _errorType);
        }
    }

    /// <summary>The processing was cancelled (the partition went away or the consumer stopped): it will be redelivered.</summary>
    public void Cancelled()
    {
        _errorType = typeof(OperationCanceledException).FullName;
        _activity?.SetTag(TelemetryTags.ErrorType, _errorType);
    }

    /// <summary>Ends the span and records the duration.</summary>
    public void Dispose()
    {
        try
        {
            _activity?.Stop();
            if (Telemetry.ProcessDuration.Enabled)
            {
                var tags = _telemetry.Tags(_topic, _partition);
                tags.Add(TelemetryTags.OperationName, TelemetryTags.Process);
                tags.Add(TelemetryTags.OperationType, TelemetryTags.Process);
                if (_errorType is not null)
                {
                    tags.Add(TelemetryTags.ErrorType, _errorType);
                }

                Telemetry.ProcessDuration.Record(Telemetry.SecondsSince(_started), tags);
            }
        }
#pragma warning disable CA1031 // A listener that throws costs its span or measurement, never the record (see remarks).
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static void Consumed(ConsumerTelemetry telemetry, string topic, int partition, int count)
    {
        if (Telemetry.ConsumedMessages.Enabled)
        {
            var tags = telemetry.Tags(topic, partition);
            tags.Add(TelemetryTags.OperationName, TelemetryTags.Process);
            tags.Add(TelemetryTags.OperationType, TelemetryTags.Process);
            Telemetry.ConsumedMessages.Add(count, tags);
        }
    }
}
