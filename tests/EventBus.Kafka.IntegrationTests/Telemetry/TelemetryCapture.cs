using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.IntegrationTests.Telemetry;

/// <summary>
/// What an OpenTelemetry SDK attaches, in-process: an ActivityListener sampling every span of the EventBus source and a
/// MeterListener taking every instrument of the EventBus meter. Listeners are process-wide and tests run in parallel,
/// so it keeps only what concerns this test: spans and measurements tagged with one of its topics or its group.
/// </summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly HashSet<string> _scope;
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();

    public TelemetryCapture(params string[] scope)
    {
        _scope = new HashSet<string>(scope, StringComparer.Ordinal);
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EventBusInstrumentation.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("messaging.destination.name") is string topic && _scope.Contains(topic))
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_activities);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EventBusInstrumentation.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _meters.Start();
    }

    /// <summary>Gets the spans of this test's topics that ended.</summary>
    public IReadOnlyList<Activity> Spans => [.. _stopped];

    /// <summary>Spans of one kind and topic.</summary>
    public List<Activity> SpansOf(ActivityKind kind, string topic) =>
        [.. _stopped.Where(a => a.Kind == kind && Equals(a.GetTagItem("messaging.destination.name"), topic))];

    /// <summary>The measurements of an instrument that match every given tag.</summary>
    public List<(double Value, Dictionary<string, object?> Tags)> Measurements(string instrument, params (string Key, object? Value)[] tags) =>
        [.. _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value))).Select(m => (m.Value, m.Tags))];

    /// <summary>The sum of an instrument's measurements that match every given tag.</summary>
    public double Sum(string instrument, params (string Key, object? Value)[] tags) => Measurements(instrument, tags).Sum(m => m.Value);

    /// <summary>Asks the observable instruments (the lag gauge) for their values now.</summary>
    public void Collect() => _meters.RecordObservableInstruments();

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        if ((copy.TryGetValue("messaging.destination.name", out var topic) && topic is string t && _scope.Contains(t))
            || (copy.TryGetValue("messaging.consumer.group.name", out var group) && group is string g && _scope.Contains(g)))
        {
            _measurements.Enqueue((instrument.Name, value, copy));
        }
    }
}
