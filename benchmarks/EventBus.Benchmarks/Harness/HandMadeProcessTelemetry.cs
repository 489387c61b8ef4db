using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Confluent.Kafka;

namespace EventBus.Benchmarks.Harness;

/// <summary>
/// What any instrumentation that gives every consumed record its own process span must do, written by hand around
/// the raw consume loop, as lean as the public APIs allow: the parent context read from the record's
/// <c>traceparent</c> when it has one, a span with the conventions' constant attributes at creation and the record's
/// own (partition, offset, key, message id, body size), one consumed-messages count, the stop and one duration. The
/// source and meter carry the library's name, so <see cref="TelemetryListeners"/> sees them as it sees the
/// library's: the floor of a span per record, against which EventConsumer's own telemetry is judged.
/// </summary>
internal sealed class HandMadeProcessTelemetry : IDisposable
{
    private readonly ActivitySource _source = new(TelemetryListeners.SourceName);
    private readonly Meter _meter = new(TelemetryListeners.SourceName);
    private readonly Counter<long> _consumed;
    private readonly Histogram<double> _duration;
    private readonly KeyValuePair<string, object?>[] _constant;
    private readonly string _topic;
    private readonly string _group;
    private readonly string _spanName;

    public HandMadeProcessTelemetry(string topic, string group)
    {
        _topic = topic;
        _group = group;
        _spanName = "process " + topic;
        _constant = ConventionTags.Constant("process", topic, group);
        _consumed = _meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}");
        _duration = _meter.CreateHistogram<double>("messaging.process.duration", "s");
    }

    /// <summary>Starts the span of one record (the current activity while it is handled); null when none listens.</summary>
    public Activity? Start(ConsumeResult<byte[], byte[]> record)
    {
        var partition = ConventionTags.PartitionId(record.Partition);
        if (_consumed.Enabled)
        {
            _consumed.Add(1, Tags(partition));
        }

        if (!_source.HasListeners())
        {
            return null;
        }

        var parent = default(ActivityContext);
        if (record.Message.Headers is { } headers && headers.TryGetLastBytes("traceparent", out var traceParent)
            && ActivityContext.TryParse(Encoding.ASCII.GetString(traceParent), null, isRemote: true, out var carried))
        {
            parent = carried;
        }

        var activity = _source.StartActivity(ActivityKind.Consumer, parent, _constant, name: _spanName);
        if (activity is { IsAllDataRequested: true })
        {
            activity.AddTag("messaging.destination.partition.id", partition);
            activity.AddTag("messaging.kafka.offset", record.Offset.Value);
            activity.AddTag("messaging.kafka.message.key", Encoding.UTF8.GetString(record.Message.Key));
            if (record.Message.Headers is { } h && h.TryGetLastBytes("message-id", out var id))
            {
                activity.AddTag("messaging.message.id", Encoding.UTF8.GetString(id));
            }

            activity.AddTag("messaging.message.body.size", record.Message.Value.Length);
        }

        return activity;
    }

    /// <summary>Ends the span of one record, and records how long it took.</summary>
    public void Stop(Activity? activity, Partition partition, long started)
    {
        activity?.Stop();
        if (_duration.Enabled)
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Tags(ConventionTags.PartitionId(partition)));
        }
    }

    public void Dispose()
    {
        _source.Dispose();
        _meter.Dispose();
    }

    private TagList Tags(string partition) => new()
    {
        { "messaging.system", "kafka" },
        { "messaging.operation.type", "process" },
        { "messaging.operation.name", "process" },
        { "messaging.destination.name", _topic },
        { "messaging.consumer.group.name", _group },
        { "messaging.destination.partition.id", partition },
    };
}
