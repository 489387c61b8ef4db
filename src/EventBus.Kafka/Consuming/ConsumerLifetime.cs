using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// The stop of one consumer: whether it was asked to stop, whether it is draining, what error stopped it, and when
/// it finished. Shared by the facade, the poll loop and the workers; thread-safe.
/// </summary>
internal sealed class ConsumerLifetime : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _fatalError;
    private volatile bool _draining;
    private volatile bool _killed;
    private volatile EventConsumerState _state = EventConsumerState.Created;

    /// <summary>Gets or sets the lifecycle state.</summary>
    public EventConsumerState State
    {
        get => _state;
        set => _state = value;
    }

    /// <summary>Gets a value indicating whether a stop was requested (the poll loop ends its loop).</summary>
    public bool IsStopRequested => _stop.IsCancellationRequested;

    /// <summary>Gets a value indicating whether stopping began: records not started yet are left for redelivery.</summary>
    public bool StopsDispatching => _draining || _stop.IsCancellationRequested;

    /// <summary>Gets a value indicating whether the consumer drains its in-flight work to stop.</summary>
    public bool IsDraining => _draining;

    /// <summary>Gets a value indicating whether the consumer is being killed (a simulated crash: no commit, no leave).</summary>
    public bool IsKilled => _killed;

    /// <summary>Gets the error that stopped the consumer, if any.</summary>
    public Exception? FatalError => Volatile.Read(ref _fatalError);

    /// <summary>Gets a task that completes when the poll loop has ended.</summary>
    public Task Finished => _finished.Task;

    /// <summary>Asks the poll loop to stop. Safe from any thread, any number of times, also after disposal.</summary>
    public void RequestStop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Stops without committing or leaving the group.</summary>
    public void Kill()
    {
        _killed = true;
        RequestStop();
    }

    /// <summary>Marks the start of the drain.</summary>
    public void BeginDraining() => _draining = true;

    /// <summary>Records the error that stops the consumer (the first one wins) and asks it to stop.</summary>
    /// <param name="error">The error.</param>
    /// <returns>Whether this was the first error.</returns>
    public bool Fail(Exception error)
    {
        var first = Interlocked.CompareExchange(ref _fatalError, error, null) is null;
        RequestStop();
        return first;
    }

    /// <summary>
    /// Stops the consumer because processing a record failed outside the handler's error policy (a bug, a disposed
    /// dependency). After the poll loop ended, only logs: the record was not committed either way.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="exception">What escaped.</param>
    /// <param name="logger">The logger.</param>
    public void FailProcessing(ConsumeResult<byte[]?, byte[]?> record, Exception exception, ILogger logger)
    {
        var error = exception as EventConsumerException ?? new EventConsumerException(
            $"The consumer stopped: processing {record.Topic}[{record.Partition.Value}]@{record.Offset.Value} failed outside the handler " +
            $"({exception.GetType().Name}: {exception.Message}); the record was not committed and will be redelivered.", exception);
        if (Finished.IsCompleted)
        {
            Log.LaneFailedAfterStop(logger, error, record.Topic, record.Partition.Value, record.Offset.Value);
        }
        else if (Fail(error))
        {
            Log.LaneFailed(logger, error, record.Topic, record.Partition.Value, record.Offset.Value);
        }
    }

    /// <summary>Marks the end of the poll loop.</summary>
    public void MarkFinished() => _finished.TrySetResult();

    /// <summary>Throws the error that stopped the consumer, if any.</summary>
    /// <exception cref="EventConsumerException">The consumer was stopped by an error.</exception>
    public void ThrowIfFaulted()
    {
        if (FatalError is { } error)
        {
            throw error as EventConsumerException ?? new EventConsumerException("The consumer's poll loop failed: " + error.Message, error);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stop.Dispose();
}
