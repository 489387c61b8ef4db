namespace EventBus.Kafka.Consuming;

/// <summary>
/// Tells whether a call comes from inside the consumer — a handler (an async-local marker its lane sets), or a
/// partition callback (the poll thread, or the thread that closes the consumer) — so that a stop or dispose called
/// from there requests the stop instead of waiting for itself.
/// </summary>
internal sealed class ConsumerCallContext
{
    private readonly AsyncLocal<bool> _insideHandler = new();
    private volatile Thread? _pollThread;
    private volatile int _closeThreadId = -1;

    /// <summary>Gets a value indicating whether the caller is a handler or a partition callback of this consumer.</summary>
    public bool IsInsideConsumer =>
        _insideHandler.Value || Thread.CurrentThread == _pollThread || Environment.CurrentManagedThreadId == _closeThreadId;

    /// <summary>Marks the current async flow (a lane draining its records) as handler code.</summary>
    public void EnterHandlers() => _insideHandler.Value = true;

    /// <summary>Records the poll thread.</summary>
    /// <param name="thread">The thread.</param>
    public void SetPollThread(Thread thread) => _pollThread = thread;

    /// <summary>Marks the current thread as the one closing the consumer (partition callbacks run on it during Close).</summary>
    public void EnterClose() => _closeThreadId = Environment.CurrentManagedThreadId;

    /// <summary>Ends <see cref="EnterClose"/> (the pool thread goes back to other work).</summary>
    public void ExitClose() => _closeThreadId = -1;
}
