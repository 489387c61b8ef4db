namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// Decides which of a client's repeated log lines reach the logger: the first of a kind is logged, identical ones
/// within the window are counted, and the next one after the window is logged once as a summary ("… (repeated 57
/// times in 30 s)"), which opens a new window. A kind quiet for a whole window starts afresh. Thread-safe; used on
/// error and log callbacks only.
/// </summary>
internal sealed class RepeatedLines
{
    /// <summary>The default window.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(30);

    private const int Capacity = 256;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;

    /// <summary>Initializes a new instance of the <see cref="RepeatedLines"/> class.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="window">How long identical lines are counted before a summary.</param>
    public RepeatedLines(TimeProvider time, TimeSpan window)
    {
        _time = time;
        _window = window;
    }

    /// <summary>Records one line of a kind and says what to log.</summary>
    /// <param name="key">The kind (the line with what varies between repeats made constant).</param>
    /// <param name="summarize">Logs the summary of this kind: called with the count and the seconds it covers.</param>
    /// <returns><see langword="true"/> when this line is to be logged as it is; otherwise it was counted (and maybe summarized).</returns>
    public bool Observe(string key, Action<int, double> summarize)
    {
        var now = _time.GetTimestamp();
        (int Count, double Seconds)? summary = null;
        bool first;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                if (_entries.Count >= Capacity)
                {
                    Evict();
                }

                _entries[key] = new Entry(now, summarize);
                first = true;
            }
            else
            {
                var elapsed = _time.GetElapsedTime(entry.WindowStart, now);
                entry.Summarize = summarize;
                if (elapsed < _window)
                {
                    entry.Count++;
                    first = false;
                }
                else if (entry.Count == 0)
                {
                    // Quiet for a whole window: this is a new occurrence, not a repeat.
                    entry.WindowStart = now;
                    first = true;
                }
                else
                {
                    summary = (entry.Count + 1, elapsed.TotalSeconds);
                    entry.Count = 0;
                    entry.WindowStart = now;
                    first = false;
                }
            }
        }

        if (summary is { } s)
        {
            summarize(s.Count, s.Seconds);
        }

        return first;
    }

    /// <summary>
    /// Logs the summary of every kind with repeats not yet summarized (the failure ended, or the client closes). The
    /// kinds are kept: one that comes back within the window is counted, not logged again.
    /// </summary>
    public void Flush()
    {
        List<(Action<int, double> Summarize, int Count, double Seconds)> due = [];
        var now = _time.GetTimestamp();
        lock (_entries)
        {
            foreach (var entry in _entries.Values)
            {
                if (entry.Count > 0)
                {
                    due.Add((entry.Summarize, entry.Count, _time.GetElapsedTime(entry.WindowStart, now).TotalSeconds));
                    entry.Count = 0;
                    entry.WindowStart = now;
                }
            }
        }

        foreach (var (summarize, count, seconds) in due)
        {
            summarize(count, seconds);
        }
    }

    private void Evict()
    {
        // Drop the kinds with nothing left to summarize, oldest first; keep at most three quarters.
        foreach (var key in _entries.Where(e => e.Value.Count == 0).OrderBy(e => e.Value.WindowStart).Select(e => e.Key).Take(Capacity / 4).ToList())
        {
            _entries.Remove(key);
        }

        if (_entries.Count >= Capacity)
        {
            _entries.Remove(_entries.OrderBy(e => e.Value.WindowStart).First().Key);
        }
    }

    private sealed class Entry(long windowStart, Action<int, double> summarize)
    {
        public long WindowStart { get; set; } = windowStart;

        public int Count { get; set; }

        public Action<int, double> Summarize { get; set; } = summarize;
    }
}
