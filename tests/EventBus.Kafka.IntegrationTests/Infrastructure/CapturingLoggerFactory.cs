using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>A logger factory that keeps every line, so tests can count them and search them (for secrets, say).</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    /// <summary>Gets every line logged so far, in order.</summary>
    public IReadOnlyList<LogLine> Lines => [.. _lines];

    /// <summary>Gets the lines with the given event name.</summary>
    /// <param name="eventName">The event name (as in the library's <c>Log</c> classes).</param>
    /// <returns>The lines.</returns>
    public IReadOnlyList<LogLine> WithEvent(string eventName) => [.. _lines.Where(l => l.EventName == eventName)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    /// <summary>One log line.</summary>
    internal sealed record LogLine(DateTimeOffset At, string Category, LogLevel Level, int EventId, string? EventName, string Message, Exception? Exception)
    {
        public override string ToString() => $"{At:HH:mm:ss.fff} {Level} {Category} [{EventId} {EventName}] {Message}{(Exception is null ? "" : " | " + Exception.GetType().Name + ": " + Exception.Message)}";
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue(new LogLine(DateTimeOffset.UtcNow, category, logLevel, eventId.Id, eventId.Name, formatter(state, exception), exception));
    }
}
