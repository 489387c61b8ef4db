using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// One observed send (a publish, or a whole batch): the <c>send {topic}</c> span, kind Producer, and the send metrics.
/// Started only when <see cref="Telemetry.IsSendObserved"/>; the default value observes nothing and costs nothing.
/// </summary>
internal readonly struct SendObservation
{
    private readonly Activity? _activity;
    private readonly string? _topic;
    private readonly long _started;

    private SendObservation(Activity? activity, string topic, long started)
    {
        _activity = activity;
        _topic = topic;
        _started = started;
    }

    /// <summary>Starts observing one publish: the span (its context replaces the record's <c>traceparent</c>) and the clock.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitionKey">The key.</param>
    /// <param name="messageId">The message id's bytes.</param>
    /// <param name="record">The record, its standard headers already added.</param>
    /// <returns>The observation.</returns>
    public static SendObservation Start(string topic, string? partitionKey, byte[]? messageId, Message<byte[]?, byte[]?> record)
    {
        var activity = StartActivity(topic, record.Headers);
        if (activity is not null)
        {
            if (activity.IsAllDataRequested)
            {
                if (partitionKey is not null)
                {
                    activity.SetTag(TelemetryTags.MessageKey, partitionKey);
                }

                if (messageId is not null)
                {
                    activity.SetTag(TelemetryTags.MessageId, Encoding.UTF8.GetString(messageId));
                }

                activity.SetTag(TelemetryTags.BodySize, record.Value?.Length ?? 0);
            }

            TraceContext.Inject(record.Headers, activity);
        }

        return new SendObservation(activity, topic, Stopwatch.GetTimestamp());
    }

    /// <summary>Starts observing a batch when anything listens: one span for the batch, whose context every record carries.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="count">The number of messages.</param>
    /// <returns>The observation (the inactive default when nothing listens).</returns>
    public static SendObservation StartBatch(string topic, int count)
    {
        if (!Telemetry.IsSendObserved)
        {
            return default;
        }

        var activity = StartActivity(topic, null);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryTags.BatchCount, count);
        }

        return new SendObservation(activity, topic, Stopwatch.GetTimestamp());
    }

    /// <summary>Puts the batch span's context into one of its records (nothing when not observed).</summary>
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
    public void Delivered(PublishResult result)
    {
        if (_activity is not null)
        {
            if (_activity.IsAllDataRequested)
            {
                _activity.SetTag(TelemetryTags.PartitionId, TelemetryTags.Partition(result.Partition));
                _activity.SetTag(TelemetryTags.Offset, result.Offset);
            }

            _activity.Stop();
        }

        Record(TelemetryTags.Partition(result.Partition), null, 1);
    }

    /// <summary>The message failed (or the wait for it was cancelled).</summary>
    /// <param name="error">Why.</param>
    public void Failed(Exception error)
    {
        var errorType = TelemetryTags.ErrorTypeOf(error);
        if (_activity is not null)
        {
            _activity.SetTag(TelemetryTags.ErrorType, errorType);
            _activity.SetStatus(ActivityStatusCode.Error, error is EventPublishException ? error.Message : errorType);
            _activity.Stop();
        }

        Record(null, errorType, 1);
    }

    /// <summary>The batch completed: every outcome is counted; the span is an error when any message failed.</summary>
    /// <param name="result">The outcomes.</param>
    public void Completed(PublishBatchResult result)
    {
        if (_topic is null)
        {
            return;
        }

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

            _activity.Stop();
        }

        if (Telemetry.OperationDuration.Enabled)
        {
            var tags = Tags(null, firstError);
            Telemetry.OperationDuration.Record(Telemetry.SecondsSince(_started), tags);
        }
    }

    private static Activity? StartActivity(string topic, Headers? headers)
    {
        if (!Telemetry.Source.HasListeners())
        {
            return null;
        }

        var parent = headers is null ? default : TraceContext.ParentOfSend(headers);
        var activity = Telemetry.Source.StartActivity(TelemetryTags.Send + " " + topic, ActivityKind.Producer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryTags.MessagingSystem, TelemetryTags.Kafka);
            activity.SetTag(TelemetryTags.OperationType, TelemetryTags.Send);
            activity.SetTag(TelemetryTags.OperationName, TelemetryTags.Send);
            activity.SetTag(TelemetryTags.DestinationName, topic);
        }

        return activity;
    }

    private void Record(string? partition, string? errorType, long messages)
    {
        if (_topic is null)
        {
            return;
        }

        if (Telemetry.SentMessages.Enabled)
        {
            Telemetry.SentMessages.Add(messages, Tags(partition, errorType));
        }

        if (Telemetry.OperationDuration.Enabled)
        {
            Telemetry.OperationDuration.Record(Telemetry.SecondsSince(_started), Tags(partition, errorType));
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
