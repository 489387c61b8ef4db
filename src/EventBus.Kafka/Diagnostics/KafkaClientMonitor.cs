using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Diagnostics;

/// <summary>Writes one librdkafka log line through a component's own log message (its event id and name).</summary>
/// <param name="logger">The logger.</param>
/// <param name="level">The level.</param>
/// <param name="name">The client's name.</param>
/// <param name="facility">librdkafka's facility.</param>
/// <param name="text">The line (with the repeat summary appended when it is one).</param>
internal delegate void LibrdkafkaLogWriter(ILogger logger, LogLevel level, string name, string facility, string text);

/// <summary>
/// The one place a Kafka client's errors and librdkafka log lines go (producer, consumer and admin client alike): it
/// diagnoses them (<see cref="FailureClassifier"/>, a TLS probe where the text cannot tell, <see cref="DiagnosisBuilder"/>),
/// keeps the client's health (<see cref="KafkaClientHealth"/>), logs each failure once and summarises its repeats
/// (<see cref="RepeatedLines"/>), and says while a configuration error (TLS, authentication) makes work fail at once.
/// </summary>
/// <remarks>
/// Everything here runs on error and log callbacks, never per message, except <see cref="IsDegraded"/> and
/// <see cref="FailFast"/>: one volatile read each while healthy.
/// </remarks>
internal sealed class KafkaClientMonitor : IDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ProbeReuse = TimeSpan.FromSeconds(60);

    private readonly DiagnosisContext _context;
    private readonly ILogger _logger;
    private readonly LibrdkafkaLogWriter _rawLog;
    private readonly TimeProvider _time;
    private readonly RepeatedLines _lines;
    private readonly ClientHealthState _health;
    private readonly Dictionary<string, (long At, TlsProbeResult? Result)> _probes = new(StringComparer.Ordinal);
    private volatile bool _closed;
    private volatile string _clientName;
    private int _pendingProbes;

    /// <summary>Initializes a new instance of the <see cref="KafkaClientMonitor"/> class.</summary>
    /// <param name="context">The client's context.</param>
    /// <param name="clientName">The client's name (client.id).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="rawLog">Writes a librdkafka log line through the component's own log message.</param>
    /// <param name="time">The clock; <see langword="null"/> for the system's.</param>
    /// <param name="repeatWindow">How long identical lines are counted before a summary; <see langword="null"/> for 30 s.</param>
    public KafkaClientMonitor(DiagnosisContext context, string clientName, ILogger logger, LibrdkafkaLogWriter rawLog, TimeProvider? time = null, TimeSpan? repeatWindow = null)
    {
        _context = context;
        _clientName = clientName;
        _logger = logger;
        _rawLog = rawLog;
        _time = time ?? TimeProvider.System;
        _lines = new RepeatedLines(_time, repeatWindow ?? RepeatedLines.DefaultWindow);
        _health = new ClientHealthState(_time);
    }

    /// <summary>Gets or sets what runs (off librdkafka's threads) when a TLS or authentication error starts making work fail at once: fail what is pending.</summary>
    public Action<KafkaDiagnosis>? FailFastStarted { get; set; }

    /// <summary>Gets or sets the client's name (it changes when the producer is rebuilt).</summary>
    public string ClientName
    {
        get => _clientName;
        set => _clientName = value;
    }

    /// <summary>Gets the client's context.</summary>
    public DiagnosisContext Context => _context;

    /// <summary>Gets a value indicating whether a failure is current (one volatile read).</summary>
    public bool IsDegraded => _health.IsDegraded;

    /// <summary>Gets the current failure, or <see langword="null"/> when healthy.</summary>
    public KafkaDiagnosis? Current => _health.Current;

    /// <summary>Gets a value indicating whether a TLS probe is still running (its diagnosis is not in yet).</summary>
    public bool IsProbing => Volatile.Read(ref _pendingProbes) > 0;

    /// <summary>Gets the TLS or authentication failure that makes work fail at once (see <see cref="ClientHealthState.FailFast"/>); one volatile read while healthy.</summary>
    public KafkaDiagnosis? FailFast => _health.FailFast;

    /// <summary>Gets the health snapshot.</summary>
    /// <returns>The snapshot.</returns>
    public KafkaClientHealth GetHealth() => _health.Snapshot();

    /// <summary>An error from the client's error callback (or an exception's error): diagnosed, recorded, logged once.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The diagnosis, or <see langword="null"/> while a TLS probe makes it (it is recorded when the probe ends).</returns>
    public KafkaDiagnosis? OnError(Error error)
    {
        var failure = FailureClassifier.Classify(error, _context.Protocol);
        if (failure is null)
        {
            var other = DiagnosisBuilder.Build(new FailureClassification(KafkaFailureKind.Other, KafkaFailureCause.Other, error.Code, FailureClassifier.StripThread(error.Reason ?? string.Empty), null, null, 0, false), _context);
            _health.RecordError(other);
            Repeat("error " + error.Code + " " + FailureClassifier.Normalize(other.Reason), suffix => Log.ClientError(_logger, _context.ClientKind, _clientName, error.Code.ToString(), other.Reason, suffix));
            return other;
        }

        if (failure.Kind == KafkaFailureKind.Fatal)
        {
            // The owner logs a fatal error and rebuilds (or fails); here it is only the last error.
            var fatal = DiagnosisBuilder.Build(failure, _context);
            _health.RecordError(fatal);
            return fatal;
        }

        if (failure.Cause == KafkaFailureCause.AllBrokersDown && (Current is not null || IsProbing))
        {
            return Current; // a summary of failures already diagnosed more precisely
        }

        return Report(failure, topic: null);
    }

    /// <summary>A librdkafka log line: connection failure lines feed the diagnosis; every line is logged once, repeats summarised.</summary>
    /// <param name="message">The line.</param>
    public void OnLog(LogMessage message)
    {
        var level = (LogLevel)message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);
        if (FailureClassifier.IsFailureLine(message))
        {
            if (level >= LogLevel.Error)
            {
                // librdkafka reports this failure to the error callback too, which diagnoses and logs it: one failure, one line.
                return;
            }

            // A failure librdkafka only logs (a connection closed during the Kafka handshake, say): diagnosed and
            // logged as such; a plain disconnect of a working connection is logged as it is.
            if (FailureClassifier.Classify(ErrorCode.Local_Transport, message.Message, false, _context.Protocol) is { Kind: not KafkaFailureKind.Other } failure)
            {
                Report(failure, topic: null);
                return;
            }
        }

        if (!_logger.IsEnabled(level))
        {
            return;
        }

        var text = _context.Scrub(message.Message);
        var name = message.Name;
        var facility = message.Facility;
        if (level < LogLevel.Information)
        {
            // Debug lines (debug=... was asked for) stay verbatim.
            _rawLog(_logger, level, name, facility, text);
            return;
        }

        Repeat("log " + facility + " " + FailureClassifier.Normalize(text), suffix => _rawLog(_logger, level, name, facility, text + suffix));
    }

    /// <summary>
    /// The diagnosis of a failed operation (a delivery report, an admin call): what its error says, or — for a timeout
    /// and the like — the failure current when it failed. Authorization failures are recorded (the client is degraded).
    /// </summary>
    /// <param name="error">The operation's error.</param>
    /// <param name="topic">The topic concerned, if any.</param>
    /// <param name="record">Record (and log) an authorization failure; the caller reports it itself otherwise.</param>
    /// <returns>The diagnosis, or <see langword="null"/> when the error is none of the failures diagnosed and none is current.</returns>
    public KafkaDiagnosis? DiagnoseOperation(Error error, string? topic, bool record = true)
    {
        if (error is DiagnosedError diagnosed)
        {
            return diagnosed.Diagnosis;
        }

        var failure = FailureClassifier.Classify(error, _context.Protocol);
        if (failure is null || failure.Kind is KafkaFailureKind.Fatal or KafkaFailureKind.Other || failure.Cause == KafkaFailureCause.AllBrokersDown)
        {
            return Current;
        }

        if (failure.Kind == KafkaFailureKind.Authorization)
        {
            var refused = DiagnosisBuilder.Build(failure, _context, topic: topic);
            if (record)
            {
                Apply(refused);
            }

            return refused;
        }

        // A connection failure named by the operation itself: the one recorded from the callbacks is the same, with the probe's detail.
        return Current is { } current && current.Kind == failure.Kind ? current : DiagnosisBuilder.Build(failure, _context, topic: topic);
    }

    /// <summary>A connection succeeded (a delivery, an assignment, a response): back to healthy if degraded. One volatile read otherwise.</summary>
    /// <param name="evidence">What succeeded, for the log line.</param>
    public void OnSuccess(string evidence)
    {
        if (!_health.Recover(out var ended, out var degradedFor))
        {
            return;
        }

        _lines.Flush();
        var text = ended?.Message ?? "unknown";
        Repeat("healthy " + ended?.Cause, suffix => Log.Recovered(_logger, _context.ClientKind, _clientName, evidence + suffix, degradedFor.TotalSeconds, text));
    }

    /// <summary>Records a failure diagnosed by the owner (a rebuild after a fatal error): degraded until the next success.</summary>
    /// <param name="diagnosis">The failure.</param>
    public void Degrade(KafkaDiagnosis diagnosis) => Apply(diagnosis, log: false);

    /// <summary>The client failed for good.</summary>
    /// <param name="diagnosis">Why.</param>
    public void Fail(KafkaDiagnosis diagnosis) => _health.Fail(diagnosis);

    /// <summary>The client is closed: the summaries of repeats not yet logged are logged.</summary>
    public void Close()
    {
        _health.Close();
        _lines.Flush();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _closed = true;
        Close();
    }

    /// <summary>Logs a line of a kind once, and its repeats as summaries.</summary>
    /// <param name="key">The kind.</param>
    /// <param name="log">Logs the line with a suffix: empty for the first, " (repeated N times in S s)" for a summary.</param>
    public void Repeat(string key, Action<string> log) =>
        Repeat(key, () => log(string.Empty), (count, seconds) => log(RepeatSuffix(count, seconds)));

    /// <summary>Logs a line of a kind once, and its repeats as summaries.</summary>
    /// <param name="key">The kind.</param>
    /// <param name="first">Logs the line.</param>
    /// <param name="summary">Logs the summary: how many times it came again, over how many seconds.</param>
    public void Repeat(string key, Action first, Action<int, double> summary)
    {
        if (_lines.Observe(key, summary))
        {
            first();
        }
    }

    /// <summary>The suffix of a summarized line.</summary>
    /// <param name="count">How many times the line came again.</param>
    /// <param name="seconds">Over how many seconds.</param>
    /// <returns>" (repeated N times in S s)".</returns>
    public static string RepeatSuffix(int count, double seconds) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (repeated {count} times in {seconds:0} s)");

    private KafkaDiagnosis? Report(FailureClassification failure, string? topic)
    {
        if (!failure.NeedsProbe)
        {
            var diagnosis = DiagnosisBuilder.Build(failure, _context, topic: topic);
            Apply(diagnosis);
            return diagnosis;
        }

        var key = failure.Host + ":" + failure.Port;
        var now = _time.GetTimestamp();
        lock (_probes)
        {
            if (_probes.TryGetValue(key, out var known) && (known.Result is null || _time.GetElapsedTime(known.At, now) <= ProbeReuse))
            {
                if (known.Result is { } result)
                {
                    var diagnosis = DiagnosisBuilder.Build(failure, _context, result, topic);
                    Apply(diagnosis);
                    return diagnosis;
                }

                return null; // the probe is running: its diagnosis comes when it ends
            }

            _probes[key] = (now, null);
            Interlocked.Increment(ref _pendingProbes);
        }

        // A thread of its own (probes are rare): a starved thread pool must not delay a configuration error's diagnosis.
        var probing = new Thread(() => ProbeAndApply(failure, key, topic)) { IsBackground = true, Name = "eventbus-tls-probe" };
        probing.Start();
        return null;
    }

    private void ProbeAndApply(FailureClassification failure, string key, string? topic)
    {
        try
        {
            var started = _time.GetTimestamp();
            var result = TlsProbe.Probe(failure.Host!, failure.Port, _context.CaLocation, ProbeTimeout, _time);
            lock (_probes)
            {
                _probes[key] = (_time.GetTimestamp(), result);
            }

            Log.Probed(_logger, _context.ClientKind, _clientName, failure.Host!, failure.Port, _time.GetElapsedTime(started).TotalMilliseconds, result.SpokeTls, result.Untrusted,
                result.NameMismatch, result.Expired, string.Join(",", result.Names), result.Issuer, result.Failure);
            if (!_closed)
            {
                Apply(DiagnosisBuilder.Build(failure, _context, result, topic));
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pendingProbes);
        }
    }

    private void Apply(KafkaDiagnosis diagnosis, bool log = true)
    {
        var startFailFast = _health.Degrade(diagnosis);
        if (log)
        {
            var level = diagnosis.IsConfigurationError ? LogLevel.Error : LogLevel.Warning;
            var text = diagnosis.Message;
            Repeat(
                // One failure, one line: the same cause on any broker, in any of librdkafka's wordings, is a repeat.
                "failure " + diagnosis.Cause + (diagnosis.Kind == KafkaFailureKind.Authorization ? " " + diagnosis.Summary : string.Empty),
                () => Log.Failure(_logger, level, _context.ClientKind, _clientName, text),
                (count, seconds) => Log.FailureRepeated(_logger, level, _context.ClientKind, _clientName, text, count, seconds));
        }

        if (startFailFast && FailFastStarted is { } failFastStarted)
        {
            // Never on librdkafka's own callback thread (failing what is pending may replace the client), nor waiting
            // for a starved thread pool: a thread of its own, once per start of a configuration error.
            new Thread(() => failFastStarted(diagnosis)) { IsBackground = true, Name = "eventbus-fail-fast" }.Start();
        }
    }
}
