using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Hosting.Tests.Infrastructure;

/// <summary>A logger provider that keeps every entry in the order written, and echoes it to the test output.</summary>
internal sealed class CapturedLogs(ITestOutputHelper? output = null) : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private readonly ITestOutputHelper? _output = output;
    private long _sequence;

    public IReadOnlyList<Entry> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>The position of the first entry with this event id, or -1.</summary>
    public long FirstIndexOf(int eventId) => Entries.FirstOrDefault(e => e.EventId == eventId)?.Sequence ?? -1;

    public bool Contains(int eventId) => Entries.Any(e => e.EventId == eventId);

    internal sealed record Entry(long Sequence, DateTimeOffset Time, string Category, int EventId, string EventName, LogLevel Level, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Time:HH:mm:ss.fff} {Level} {Category}[{EventId} {EventName}] {Message}{(Exception is null ? "" : " | " + Exception.GetType().Name + ": " + Exception.Message)}";
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var entry = new Entry(Interlocked.Increment(ref owner._sequence), DateTimeOffset.UtcNow, category, eventId.Id, eventId.Name ?? "", logLevel, formatter(state, exception), exception);
            owner._entries.Enqueue(entry);
            try
            {
                owner._output?.WriteLine(entry.ToString());
            }
            catch (InvalidOperationException)
            {
                // The test has finished; a background thread logged late.
            }
        }
    }
}
