using System.Diagnostics;
using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.IntegrationTests.Telemetry;

/// <summary>A broken ActivityListener: it samples every EventBus span and throws when one span name starts or stops.</summary>
internal sealed class ThrowingListener : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly string _spanName;
    private int _calls;

    /// <summary>Attaches the listener (process-wide, until disposed).</summary>
    /// <param name="spanName">The span it throws on.</param>
    /// <param name="when"><c>started</c> or <c>stopped</c>.</param>
    public ThrowingListener(string spanName, string when)
    {
        _spanName = spanName;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EventBusInstrumentation.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = when == "started" ? Throw : static _ => { },
            ActivityStopped = when == "stopped" ? Throw : static _ => { },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Gets how many times it threw.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Throw(Activity activity)
    {
        if (activity.DisplayName == _spanName)
        {
            Interlocked.Increment(ref _calls);
            throw new InvalidOperationException("a broken listener");
        }
    }
}
