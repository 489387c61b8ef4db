namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// The health of one client as a small state machine: Healthy → Degraded (a failure, since when) → Healthy again on
/// a success; Failed and Closed are final. It also decides while a TLS or authentication failure makes work fail at
/// once (<see cref="FailFast"/>). Thread-safe; <see cref="IsDegraded"/> and <see cref="FailFast"/> cost one volatile
/// read while healthy.
/// </summary>
internal sealed class ClientHealthState
{
    /// <summary>How long after the last TLS or authentication error work keeps failing at once (librdkafka reconnects about every second while it lasts).</summary>
    public static readonly TimeSpan FailFastHold = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private volatile bool _degraded;
    private volatile KafkaDiagnosis? _failFast;
    private KafkaHealthStatus _status = KafkaHealthStatus.Healthy;
    private KafkaDiagnosis? _current;
    private DateTimeOffset _since;
    private long _degradedAt;
    private KafkaDiagnosis? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private long _configurationErrorAt;
    private long _recoveredAt;

    /// <summary>Initializes a new instance of the <see cref="ClientHealthState"/> class (healthy).</summary>
    /// <param name="time">The clock.</param>
    public ClientHealthState(TimeProvider time)
    {
        _time = time;
        _since = time.GetUtcNow();
    }

    /// <summary>Gets a value indicating whether a failure is current (one volatile read).</summary>
    public bool IsDegraded => _degraded;

    /// <summary>Gets the current failure, or <see langword="null"/> when healthy.</summary>
    public KafkaDiagnosis? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>
    /// Gets the TLS or authentication failure that makes work fail at once, or <see langword="null"/>: set when such
    /// an error is seen and no connection succeeded within <see cref="FailFastHold"/> before it (so it is not one broker
    /// of several failing); cleared by a success, or once the error has not recurred for <see cref="FailFastHold"/>
    /// (the next attempt then goes to the broker again).
    /// </summary>
    public KafkaDiagnosis? FailFast
    {
        get
        {
            if (_failFast is null)
            {
                return null;
            }

            lock (_gate)
            {
                if (_failFast is not null && _time.GetElapsedTime(_configurationErrorAt) >= FailFastHold)
                {
                    _failFast = null;
                }

                return _failFast;
            }
        }
    }

    /// <summary>Gets the snapshot.</summary>
    /// <returns>The snapshot.</returns>
    public KafkaClientHealth Snapshot()
    {
        lock (_gate)
        {
            return new KafkaClientHealth(_status, _current, _since, _lastError, _lastErrorAt);
        }
    }

    /// <summary>Records an error that does not change the state (an unclassified one, a fatal one the owner handles).</summary>
    /// <param name="diagnosis">The error.</param>
    public void RecordError(KafkaDiagnosis diagnosis)
    {
        lock (_gate)
        {
            _lastError = diagnosis;
            _lastErrorAt = _time.GetUtcNow();
        }
    }

    /// <summary>A failure: degraded (from healthy, since now), the diagnosis current.</summary>
    /// <param name="diagnosis">The failure.</param>
    /// <returns>Whether this failure starts failing work at once (a TLS or authentication failure with no success lately).</returns>
    public bool Degrade(KafkaDiagnosis diagnosis)
    {
        lock (_gate)
        {
            _lastError = diagnosis;
            _lastErrorAt = _time.GetUtcNow();
            if (_status is KafkaHealthStatus.Failed or KafkaHealthStatus.Closed)
            {
                return false;
            }

            if (_status == KafkaHealthStatus.Healthy)
            {
                _status = KafkaHealthStatus.Degraded;
                _since = _lastErrorAt.Value;
                _degradedAt = _time.GetTimestamp();
            }

            _current = diagnosis;
            _degraded = true;
            if (diagnosis.Kind is not (KafkaFailureKind.Tls or KafkaFailureKind.Authentication))
            {
                return false;
            }

            _configurationErrorAt = _time.GetTimestamp();
            if (_failFast is not null)
            {
                _failFast = diagnosis;
                return false;
            }

            if (_recoveredAt != 0 && _time.GetElapsedTime(_recoveredAt) < FailFastHold)
            {
                return false; // a connection worked a moment ago: one broker of several, not the whole client
            }

            _failFast = diagnosis;
            return true;
        }
    }

    /// <summary>A success: back to healthy if degraded.</summary>
    /// <param name="ended">The failure that ended.</param>
    /// <param name="degradedFor">How long it lasted.</param>
    /// <returns>Whether the client was degraded.</returns>
    public bool Recover(out KafkaDiagnosis? ended, out TimeSpan degradedFor)
    {
        ended = null;
        degradedFor = TimeSpan.Zero;
        if (!_degraded)
        {
            return false;
        }

        lock (_gate)
        {
            if (_status != KafkaHealthStatus.Degraded)
            {
                return false;
            }

            ended = _current;
            degradedFor = _time.GetElapsedTime(_degradedAt);
            _status = KafkaHealthStatus.Healthy;
            _current = null;
            _since = _time.GetUtcNow();
            _recoveredAt = _time.GetTimestamp();
            _failFast = null;
            _degraded = false;
            return true;
        }
    }

    /// <summary>The client failed for good.</summary>
    /// <param name="diagnosis">Why.</param>
    public void Fail(KafkaDiagnosis diagnosis)
    {
        lock (_gate)
        {
            if (_status == KafkaHealthStatus.Closed)
            {
                return;
            }

            _status = KafkaHealthStatus.Failed;
            _current = diagnosis;
            _since = _time.GetUtcNow();
            _lastError = diagnosis;
            _lastErrorAt = _since;
            _failFast = null;
            _degraded = true;
        }
    }

    /// <summary>The client is closed (a failed one keeps its diagnosis).</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_status == KafkaHealthStatus.Closed)
            {
                return;
            }

            if (_status != KafkaHealthStatus.Failed)
            {
                _current = null;
            }

            _status = KafkaHealthStatus.Closed;
            _since = _time.GetUtcNow();
            _failFast = null;
        }
    }
}
