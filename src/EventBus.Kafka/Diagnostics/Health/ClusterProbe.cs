using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Topics;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>What one metadata request found: whether the cluster answered, which topics exist, or why not.</summary>
/// <param name="Reachable">Whether the cluster answered.</param>
/// <param name="At">When it was asked.</param>
/// <param name="Brokers">The brokers it named.</param>
/// <param name="Topics">The topics it has (empty when it did not answer).</param>
/// <param name="Diagnosis">Why it did not answer, when diagnosed (unreachable, TLS, authentication).</param>
/// <param name="Description">One line: what it answered, or why it did not.</param>
internal sealed record ClusterProbeResult(bool Reachable, DateTimeOffset At, int Brokers, IReadOnlySet<string> Topics, KafkaDiagnosis? Diagnosis, string Description);

/// <summary>
/// Readiness's own look at the cluster: one admin client of the service's configuration (authentication included),
/// kept for the checker's lifetime, asks for metadata at most once per <see cref="EventBusHealthOptions.ProbeInterval"/>.
/// Its failures are diagnosed as every client's are, and not logged (the producer and consumers log theirs).
/// </summary>
internal sealed class ClusterProbe : IDisposable
{
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    private readonly EventBusOptions _options;
    private readonly EventBusHealthOptions _health;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private AdminConnection? _connection;
    private Task<ClusterProbeResult>? _running;
    private ClusterProbeResult? _last;
    private long _lastAt;
    private bool _disposed;

    public ClusterProbe(EventBusOptions options, EventBusHealthOptions health, TimeProvider time)
    {
        _options = options;
        _health = health;
        _time = time;
    }

    /// <summary>Gets the last answer, if any (without asking).</summary>
    public ClusterProbeResult? Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>Asks the cluster for metadata, or returns the answer of the last <see cref="EventBusHealthOptions.ProbeInterval"/>; concurrent callers share one request.</summary>
    /// <param name="cancellationToken">Stops waiting (the request goes on, for the next caller).</param>
    /// <returns>The answer.</returns>
    public Task<ClusterProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        Task<ClusterProbeResult> running;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_last is not null && _time.GetElapsedTime(_lastAt) < _health.ProbeInterval)
            {
                return Task.FromResult(_last);
            }

            _running ??= Task.Run(RunAsync, CancellationToken.None);
            running = _running;
        }

        return running.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        AdminConnection? connection;
        Task? running;
        lock (_gate)
        {
            _disposed = true;
            connection = _connection;
            running = _running;
            _connection = null;
        }

        if (connection is null)
        {
            return;
        }

        if (running is null)
        {
            connection.Dispose();
        }
        else
        {
            // A request in progress keeps using the client: release it once it returns.
            _ = running.ContinueWith(static (_, c) => ((AdminConnection)c!).Dispose(), connection, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private async Task<ClusterProbeResult> RunAsync()
    {
        ClusterProbeResult result;
        try
        {
            result = await AskAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A health check reports what went wrong; it never throws it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            result = new ClusterProbeResult(false, _time.GetUtcNow(), 0, new HashSet<string>(), null, "the cluster could not be asked for metadata: " + ex.GetType().Name + ": " + ex.Message);
        }

        lock (_gate)
        {
            _last = result;
            _lastAt = _time.GetTimestamp();
            _running = null;
        }

        return result;
    }

    private async Task<ClusterProbeResult> AskAsync()
    {
        var at = _time.GetUtcNow();
        AdminConnection connection;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            connection = _connection ??= new AdminConnection(_options, null, NullLogger.Instance, _time);
        }

        var started = _time.GetTimestamp();
        KafkaException? last = null;
        while (true)
        {
            var remaining = _health.ProbeTimeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            try
            {
                var metadata = connection.Admin.GetMetadata(remaining < Slice ? remaining : Slice);
                connection.Monitor.OnSuccess("metadata read");
                var topics = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
                return new ClusterProbeResult(true, at, metadata.Brokers.Count, topics, null,
                    $"the cluster answered a metadata request ({metadata.Brokers.Count} broker(s))");
            }
            catch (KafkaException ex)
            {
                last = ex;
            }

            if (connection.Monitor.Current is { IsConfigurationError: true } configuration)
            {
                return Failed(at, configuration);
            }

            // GetMetadata may fail at once (no broker at all): do not spin.
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time).ConfigureAwait(false);
        }

        var diagnosis = connection.Monitor.Current ?? (last is null ? null : connection.Diagnose(last.Error));
        return diagnosis is null
            ? new ClusterProbeResult(false, at, 0, new HashSet<string>(), null,
                $"the cluster did not answer a metadata request within {_health.ProbeTimeout.TotalSeconds:0.#} s ({last?.Error.Reason ?? "no answer"}); check {EventBusEnvironmentVariables.BootstrapServers} and {EventBusEnvironmentVariables.SecurityProtocol}")
            : Failed(at, diagnosis);
    }

    private static ClusterProbeResult Failed(DateTimeOffset at, KafkaDiagnosis diagnosis) =>
        new(false, at, 0, new HashSet<string>(), diagnosis, "the cluster did not answer a metadata request: " + diagnosis.Message);
}
