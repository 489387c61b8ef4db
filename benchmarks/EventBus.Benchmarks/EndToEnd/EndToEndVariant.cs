using System.Diagnostics;
using EventBus.Benchmarks.Harness;
using EventBus.Kafka.Configuration;

namespace EventBus.Benchmarks.EndToEnd;

/// <summary>
/// Publish to handler, in one process: a producer and a consumer (its group joined once, at warm-up) on a topic of
/// the variant's own. Each run publishes <see cref="EndToEndLoad.Messages"/> records at the load's rate and measures,
/// per record, the time from the publish call to the handler's call (p50, p99), and the run from the first publish
/// to the last record handled (msg/s, CPU, allocations). The wrapper's and the raw client's variants differ only in
/// <see cref="PublishAsync"/> and in what calls <see cref="OnHandled"/>.
/// </summary>
internal abstract class EndToEndVariant(string name, BenchmarkCluster cluster, EndToEndLoad load) : IVariant
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private readonly long[] _sent = new long[load.Messages];
    private Latencies _latencies = new(load.Messages);
    private TaskCompletionSource _done = new();
    private TaskCompletionSource _warmedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ResourceSnapshot _end;
    private int _run = -1;
    private int _handled;

    public string Name { get; } = name;

    protected EndToEndLoad Load { get; } = load;

    /// <summary>Creates the topic, starts the consumer, and publishes until the consumer handles one (its group joined).</summary>
    public async Task WarmUpAsync()
    {
        var topic = await cluster.CreateTopicAsync("e2e-" + Guid.NewGuid().ToString("N")[..6]).ConfigureAwait(false);
        Start(cluster.Options(topic, BenchmarkCluster.NewGroup("e2e")), topic);
        var clock = Stopwatch.StartNew();
        for (var i = 0; !_warmedUp.Task.IsCompleted; i++)
        {
            Check.That(clock.Elapsed < TimeSpan.FromMinutes(1), $"{Name}: the consumer handled no warm-up record in a minute");
            await PublishAsync(LatencyEvent.Create(-1, i), "warm-up").ConfigureAwait(false);

            // Paces the warm-up records while the group forms (a load, not a synchronisation: the loop ends on the handler's signal).
            await Task.WhenAny(_warmedUp.Task, Task.Delay(250)).ConfigureAwait(false);
        }
    }

    public async Task<Measurement> RunAsync(RunContext run)
    {
        _latencies = new Latencies(Load.Messages);
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _handled = 0;
        var id = Volatile.Read(ref _run) + 1;
        var window = new TaskWindow<object?>(Load.Window);
        ResourceSnapshot.Settle();
        Volatile.Write(ref _run, id);
        var start = ResourceSnapshot.Take();
        var ticksPerMessage = Load.RatePerSecond is { } rate ? Stopwatch.Frequency / (double)rate : 0;
        for (var i = 0; i < Load.Messages; i++)
        {
            if (ticksPerMessage > 0)
            {
                // The fixed rate: message i is due i ms after the start (a pacing of the load).
                var ahead = (long)(i * ticksPerMessage) - (Stopwatch.GetTimestamp() - start.Timestamp);
                if (ahead > Stopwatch.Frequency / 1000)
                {
                    await Task.Delay(TimeSpan.FromSeconds(ahead / (double)Stopwatch.Frequency)).ConfigureAwait(false);
                }
            }

            await window.MakeRoomAsync().ConfigureAwait(false);

            var message = LatencyEvent.Create(id, i);
            _sent[i] = Stopwatch.GetTimestamp();
            window.Add(PublishAsync(message, Workload.Payload.Key(i)));
        }

        await window.DrainAsync().ConfigureAwait(false);
        await _done.Task.WaitAsync(RunTimeout).ConfigureAwait(false);
        var (p50, p99) = _latencies.Percentiles();
        return start.Until(_end, Name, run, Load.Messages, window.Waits, p50, p99);
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>Builds the producer and starts the consumer on <paramref name="topic"/>.</summary>
    protected abstract void Start(EventBusOptions options, string topic);

    /// <summary>Publishes one record; the task ends with its acknowledgement.</summary>
    protected abstract Task<object?> PublishAsync(LatencyEvent message, string key);

    /// <summary>Called by the consumer's handler (or loop) for every record.</summary>
    protected void OnHandled(LatencyEvent message)
    {
        if (message.Run < 0)
        {
            _warmedUp.TrySetResult();
            return;
        }

        if (message.Run != Volatile.Read(ref _run))
        {
            return; // a duplicate of an earlier run (none expected)
        }

        _latencies.Record(message.Index, _sent[message.Index]);
        if (Interlocked.Increment(ref _handled) == Load.Messages)
        {
            _end = ResourceSnapshot.Take();
            _done.TrySetResult();
        }
    }
}
