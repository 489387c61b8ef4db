using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Tests.Configuration;

/// <summary>Captures every log line (message and exception) of every category, at every level.</summary>
internal sealed class LogCapture : ILoggerFactory, ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private readonly ConcurrentQueue<TaskCompletionSource> _waiters = new();

    /// <summary>One captured line.</summary>
    /// <param name="Category">The logger category.</param>
    /// <param name="Level">The level.</param>
    /// <param name="EventId">The event id.</param>
    /// <param name="Message">The formatted message.</param>
    /// <param name="Exception">The exception's ToString(), or null.</param>
    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, string? Exception)
    {
        public override string ToString() => $"{Level} [{EventId.Id}] {Category}: {Message}{(Exception is null ? "" : " | " + Exception)}";
    }

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public ILogger<T> For<T>() => new Logger<T>(this);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <summary>Waits until a line matches, or fails after the timeout saying what was logged.</summary>
    public async Task<Entry> WaitForAsync(Func<Entry, bool> match, TimeSpan timeout, string what)
    {
        Entry? found = null;
        await WaitUntilAsync(() => (found = _entries.FirstOrDefault(match)) is not null, timeout, what);
        return found!;
    }

    /// <summary>Waits until a condition holds, checking it again after every new line (no polling), or fails after the timeout saying what was logged.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(signal);
            if (condition())
            {
                return;
            }

            try
            {
                await signal.Task.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No log line for {what} within {timeout.TotalSeconds} s; logged:{Environment.NewLine}{string.Join(Environment.NewLine, Entries)}");
            }
        }
    }

    public void Dispose()
    {
    }

    private void Add(Entry entry)
    {
        _entries.Enqueue(entry);
        while (_waiters.TryDequeue(out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    private sealed class CapturingLogger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new Entry(category, logLevel, eventId, formatter(state, exception), exception?.ToString()));
    }
}
