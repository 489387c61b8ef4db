using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// One observed send (a publish, or a whole batch): the <c>send {topic}</c> span, kind Producer, and the send metrics.
/// Created only when <see cref="Telemetry.IsSendObserved"/>: an unobserved publish carries a null reference and
/// allocates nothing for telemetry.
/// </summary>
/// <remarks>
/// A publish's span ends wherever the message completes: usually on librdkafka's delivery-report thread, else on the
/// thread that fails or cancels it (the caller's, the backlog's, a cancellation's, disposal's). Listeners' callbacks
/// run there. A listener that throws never fails a publish, leaves it incomplete or stops the delivery reports: the
/// observation swallows its exception (telemetry is not the data path).
/// </remarks>
internal sealed class SendObservation
{
    private readonly Activity? _activity;
    private readonly string _topic;
    private readonly long _started;
    private readonly int _bodySize;

    private SendObservation(Activity? activity, string topic, long started, int bodySize = -1)
    {
        _activity = activity;
        _topic = topic;
        _started = started;
        _bodySize = bodySize;
    }

    /// <summary>
    /// Starts observing one publish: the span (its context replaces the record's <c>traceparent</c>) and the clock.
    /// The caller's <see cref="Activity.Current"/> is left as it was: the span is not the caller's current activity
    /// (it ends where the message completes, not in the caller's flow).
    /// </summary>
    /// <remarks>
    /// The span starts with the constant attributes only (the ones samplers see); the message's own — key, id, body
    /// size — go on when it completes, with the partition and offset, from what the completion holds anyway (the key
    /// and the id's bytes): a publish waits in flight for its acknowledgement, and every object it holds meanwhile
    /// survives collections and is copied by the GC.
    /// </remarks>
    /// <param name="span">The topic's send span template (<see cref="SpanTemplates"/>).</param>
    /// <param name="topic">The topic.</param>
    /// <param name="record">The record, its standard headers already added.</param>
    /// <returns>The observation.</returns>
    public static SendObservation Start(SpanTemplate span, string topic, SerializedRecord record)
    {
        var activity = StartActivity(span, record.Headers);
        if (activity is not null)
        {
            TraceContext.Inject(record.Headers, activity);
        }

        return new SendObservation(activity, topic, Stopwatch.GetTimestamp(), record.Value?.Length ?? 0);
    }

    /// <summary>Starts observing a batch when anything listens: one span for the batch, whose context every record carries.</summary>
    /// <param name="span">The topic's send span template (<see cref="SpanTemplates"/>).</param>
    /// <param name="topic">The topic.</param>
    /// <param name="count">The number of messages.</param>
    /// <returns>The observation, or <see langword="null"/> when nothing listens.</returns>
    public static SendObservation? StartBatch(SpanTemplate span, string topic, int count)
    {
        if (!Telemetry.IsSendObserved)
        {
            return null;
        }

        var activity = StartActivity(span, null);
        if (activity is { IsAllDataRequested: true })
        {
            activity.AddTag(TelemetryTags.BatchCount, count);
        }

        return new SendObservation(activity, topic, Stopwatch.GetTimestamp());
    }

    /// <summary>Puts the batch span's context into one of its records (nothing when no span was sampled).</summary>
    /// <param name="headers">The record's headers.</param>
    public void Inject(Headers headers)
    {
        if (_activity is not null)
        {
            TraceContext.Inject(headers, _activity);
        }
    }

    /// <summary>The broker acknowledged the message.</summary>
    /// <param name="result">Where it was stored.</param>
    /// <param name="partitionKey">The message's key.</param>
    /// <param name="messageId">The message id's bytes.</param>
    public void Delivered(PublishResult result, string? partitionKey, byte[]? messageId)
    {
        try
        {
            if (_activity is not null)
            {
                if (_activity.IsAllDataRequested)
                {
                    AddMessageTags(_activity, partitionKey, messageId);
                    _activity.AddTag(TelemetryTags.PartitionId, TelemetryTags.Partition(result.Partition));
                    _activity.AddTag(TelemetryTags.Offset, result.Offset);
                }

                Stop(_activity);
            }

            Record(TelemetryTags.Partition(result.Partition), null, 1);
        }
#pragma warning disable CA1031 // A listener's exception must not reach the delivery-report thread (see remarks).
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>The message failed.</summary>
    /// <param name="error">Why.</param>
    /// <param name="partitionKey">The message's key.</param>
    /// <param name="messageId">The message id's bytes.</param>
    public void Failed(Exception error, string? partitionKey, byte[]? messageId)
    {
        var errorType = TelemetryTags.ErrorTypeOf(error);
        Failed(errorType, error is EventPublishException ? error.Message : errorType, partitionKey, messageId);
    }

    /// <summary>The wait for the acknowledgement was cancelled (the message may still be delivered).</summary>
    /// <param name="partitionKey">The message's key.</param>
    /// <param name="messageId">The message id's bytes.</param>
    public void Cancelled(string? partitionKey, byte[]? messageId) => Failed(TelemetryTags.Cancelled, TelemetryTags.Cancelled, partitionKey, messageId);

    private void Failed(string errorType, string description, string? partitionKey, byte[]? messageId)
    {
        try
        {
            if (_activity is not null)
            {
                if (_activity.IsAllDataRequested)
                {
                    AddMessageTags(_activity, partitionKey, messageId);
                }

                _activity.SetTag(TelemetryTags.ErrorType, errorType);
                _activity.SetStatus(ActivityStatusCode.Error, description);
                Stop(_activity);
            }

            Record(null, errorType, 1);
        }
#pragma warning disable CA1031 // A listener's exception must not fail or stall the publish (see remarks).
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>The batch completed: every outcome is counted; the span is an error when any message failed.</summary>
    /// <param name="result">The outcomes.</param>
    public void Completed(PublishBatchResult result)
    {
        try
        {
            CompletedCore(result);
        }
#pragma warning disable CA1031 // A listener's exception must not fault the batch (see remarks).
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void CompletedCore(PublishBatchResult result)
    {
        string? firstError = null;
        if (Telemetry.SentMessages.Enabled || _activity is not null)
        {
            foreach (var outcome in result.Outcomes)
            {
                if (outcome.Error is { } error)
                {
                    var errorType = TelemetryTags.ErrorTypeOf(error);
                    firstError ??= errorType;
                    Count(null, errorType);
                }
                else
                {
                    Count(TelemetryTags.Partition(outcome.Result!.Partition), null);
                }
            }
        }

        if (_activity is not null)
        {
            if (firstError is not null)
            {
                _activity.SetTag(TelemetryTags.ErrorType, firstError);
                _activity.SetStatus(ActivityStatusCode.Error, $"{result.FailedCount} of {result.Outcomes.Count} messages failed");
            }

            Stop(_activity);
        }

        if (Telemetry.OperationDuration.Enabled)
        {
            var tags = Tags(null, firstError);
            Telemetry.OperationDuration.Record(Telemetry.SecondsSince(_started), tags);
        }
    }

    /// <summary>The attributes of one publish's message (none for a batch's span).</summary>
    private void AddMessageTags(Activity activity, string? partitionKey, byte[]? messageId)
    {
        if (_bodySize < 0)
        {
            return;
        }

        if (partitionKey is not null)
        {
            activity.AddTag(TelemetryTags.MessageKey, partitionKey);
        }

        if (messageId is not null)
        {
            activity.AddTag(TelemetryTags.MessageId, Encoding.UTF8.GetString(messageId));
        }

        activity.AddTag(TelemetryTags.BodySize, _bodySize);
    }

    private static Activity? StartActivity(SpanTemplate span, Headers? headers)
    {
        if (!Telemetry.Source.HasListeners())
        {
            return null;
        }

        var parent = headers is null ? default : TraceContext.ParentOfSend(headers);
        var context = ExecutionContext.Capture();
        var current = Activity.Current;
        try
        {
            // The constant attributes go in at creation: samplers see them, and nothing scans for them per message.
            return Telemetry.Source.StartActivity(ActivityKind.Producer, parent, span.Tags, name: span.Name);
        }
#pragma warning disable CA1031 // A listener that throws costs the span, never the publish (see remarks).
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
        finally
        {
            // Starting made the span current; the caller's flow goes on with its own activity.
            Restore(context, current);
        }
    }

    /// <summary>
    /// Ends the span. <see cref="Activity.Stop"/> makes the span's predecessor current on the thread that stops it; that
    /// thread's own current activity is put back.
    /// </summary>
    private static void Stop(Activity activity)
    {
        var context = ExecutionContext.Capture();
        var current = Activity.Current;
        try
        {
            activity.Stop();
        }
        finally
        {
            Restore(context, current);
        }
    }

    /// <summary>
    /// Puts the thread's execution context back as it was, as an async method does on return (the setter of
    /// <see cref="Activity.Current"/> would refuse an activity already stopped); with its flow suppressed, the current
    /// activity alone.
    /// </summary>
    private static void Restore(ExecutionContext? context, Activity? current)
    {
        if (context is not null)
        {
            ExecutionContext.Restore(context);
        }
        else if (Activity.Current != current)
        {
            Activity.Current = current;
        }
    }

    private void Record(string? partition, string? errorType, long messages)
    {
        var sent = Telemetry.SentMessages.Enabled;
        var duration = Telemetry.OperationDuration.Enabled;
        if (!sent && !duration)
        {
            return;
        }

        var tags = Tags(partition, errorType);
        if (sent)
        {
            Telemetry.SentMessages.Add(messages, tags);
        }

        if (duration)
        {
            Telemetry.OperationDuration.Record(Telemetry.SecondsSince(_started), tags);
        }
    }

    private void Count(string? partition, string? errorType)
    {
        if (Telemetry.SentMessages.Enabled)
        {
            Telemetry.SentMessages.Add(1, Tags(partition, errorType));
        }
    }

    private TagList Tags(string? partition, string? errorType)
    {
        var tags = new TagList
        {
            { TelemetryTags.MessagingSystem, TelemetryTags.Kafka },
            { TelemetryTags.OperationType, TelemetryTags.Send },
            { TelemetryTags.OperationName, TelemetryTags.Send },
            { TelemetryTags.DestinationName, _topic },
        };
        if (partition is not null)
        {
            tags.Add(TelemetryTags.PartitionId, partition);
        }

        if (errorType is not null)
        {
            tags.Add(TelemetryTags.ErrorType, errorType);
        }

        return tags;
    }
}
