using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Confluent.Kafka;

namespace EventBus.Benchmarks.Harness;

/// <summary>
/// What any instrumentation that gives every message its own send span must do, written by hand around the raw
/// client, as lean as the public APIs allow: a span per message with the conventions' constant attributes at
/// creation, its W3C context formatted into a <c>traceparent</c> header, and at the delivery report the message's
/// attributes, the partition and offset, the stop, one sent-messages count and one duration. The source and meter
/// carry the library's name, so <see cref="TelemetryListeners"/> sees them as it sees the library's: the floor
/// under which no span-per-message design gets, against which EventBus's own telemetry is judged.
/// </summary>
internal sealed class HandMadeSendTelemetry : IDisposable
{
    private readonly ActivitySource _source = new(TelemetryListeners.SourceName);
    private readonly Meter _meter = new(TelemetryListeners.SourceName);
    private readonly Counter<long> _sent;
    private readonly Histogram<double> _duration;
    private readonly KeyValuePair<string, object?>[] _constant;
    private readonly string _topic;
    private readonly string _spanName;

    public HandMadeSendTelemetry(string topic)
    {
        _topic = topic;
        _spanName = "send " + topic;
        _constant = ConventionTags.Constant("send", topic);
        _sent = _meter.CreateCounter<long>("messaging.client.sent.messages", "{message}");
        _duration = _meter.CreateHistogram<double>("messaging.client.operation.duration", "s");
    }

    /// <summary>Starts the span of one message and puts its context into the record's headers (nothing when none listens).</summary>
    public Activity? Start(Headers headers)
    {
        if (!_source.HasListeners())
        {
            return null;
        }

        var activity = _source.StartActivity(ActivityKind.Producer, default, _constant, name: _spanName);
        if (activity is null)
        {
            return null;
        }

        // The span ends on the delivery report, not in this flow.
        Activity.Current = activity.Parent;
        headers.Add("traceparent", TraceParent(activity));
        return activity;
    }

    /// <summary>Ends the span of one message on its delivery report, and counts it.</summary>
    public void Delivered(Activity? activity, long started, string key, byte[] messageId, int bodySize, Partition partition, Offset offset)
    {
        var partitionId = ConventionTags.PartitionId(partition);
        if (activity is not null)
        {
            if (activity.IsAllDataRequested)
            {
                activity.AddTag("messaging.kafka.message.key", key);
                activity.AddTag("messaging.message.id", Encoding.ASCII.GetString(messageId));
                activity.AddTag("messaging.message.body.size", bodySize);
                activity.AddTag("messaging.destination.partition.id", partitionId);
                activity.AddTag("messaging.kafka.offset", offset.Value);
            }

            activity.Stop();
        }

        if (_sent.Enabled || _duration.Enabled)
        {
            var tags = new TagList
            {
                { "messaging.system", "kafka" },
                { "messaging.operation.type", "send" },
                { "messaging.operation.name", "send" },
                { "messaging.destination.name", _topic },
                { "messaging.destination.partition.id", partitionId },
            };
            _sent.Add(1, tags);
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    /// <summary>A version-00 traceparent, formatted straight into its bytes.</summary>
    private static byte[] TraceParent(Activity activity)
    {
        Span<byte> raw = stackalloc byte[16];
        var value = new byte[55];
        "00-"u8.CopyTo(value);
        activity.TraceId.CopyTo(raw);
        Convert.TryToHexStringLower(raw, value.AsSpan(3, 32), out _);
        value[35] = (byte)'-';
        activity.SpanId.CopyTo(raw[..8]);
        Convert.TryToHexStringLower(raw[..8], value.AsSpan(36, 16), out _);
        value[52] = (byte)'-';
        Convert.TryToHexStringLower([(byte)activity.ActivityTraceFlags], value.AsSpan(53, 2), out _);
        return value;
    }

    public void Dispose()
    {
        _source.Dispose();
        _meter.Dispose();
    }
}
