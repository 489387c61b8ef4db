using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EventBus.Benchmarks.Harness;

/// <summary>
/// What an OpenTelemetry SDK attaches: an ActivityListener that samples every activity of the EventBus source
/// (AllDataAndRecorded) and a MeterListener that enables every instrument of the EventBus meter. Counts what
/// it sees, so the report can say whether the library emitted anything.
/// </summary>
internal sealed class TelemetryListeners : IDisposable
{
    /// <summary>The name of the library's ActivitySource and Meter.</summary>
    public const string SourceName = EventBus.Kafka.Diagnostics.EventBusInstrumentation.ActivitySourceName;

    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();
    private long _activitiesStarted;
    private long _measurements;
    private int _instruments;

    public TelemetryListeners()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _ => Interlocked.Increment(ref _activitiesStarted),
        };
        ActivitySource.AddActivityListener(_activities);

        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SourceName)
            {
                Interlocked.Increment(ref _instruments);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.SetMeasurementEventCallback<int>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.Start();
    }

    /// <summary>Totals over every listener attached in this process.</summary>
    public static long TotalActivities { get; private set; }

    public static long TotalMeasurements { get; private set; }

    public static int MaxInstruments { get; private set; }

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
        TotalActivities += _activitiesStarted;
        TotalMeasurements += _measurements;
        MaxInstruments = Math.Max(MaxInstruments, _instruments);
    }
}
