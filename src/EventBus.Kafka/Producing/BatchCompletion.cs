namespace EventBus.Kafka.Producing;

/// <summary>The outcomes of a batch: completes once every message has one.</summary>
internal sealed class BatchCompletion
{
    private readonly PublishOutcome[] _outcomes;
    private readonly TaskCompletionSource<PublishBatchResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BatchSlot?[]? _slots;
    private CancellationTokenRegistration _registration;
    private int _remaining;

    public BatchCompletion(int count)
    {
        _outcomes = new PublishOutcome[count];
        _remaining = count + 1; // + 1 until every message is queued
    }

    public Task<PublishBatchResult> Task => _completion.Task;

    public void Set(PublishOutcome outcome)
    {
        _outcomes[outcome.Index] = outcome;
        Release();
    }

    /// <summary>Keeps the slot, so cancelling can reach it while it waits for its acknowledgement (only with a cancellable token).</summary>
    public void Track(BatchSlot slot, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            (_slots ??= new BatchSlot?[_outcomes.Length])[slot.Index] = slot;
        }
    }

    public void AllQueued(CancellationToken cancellationToken)
    {
        if (_slots is not null)
        {
            // Cancelling stops the wait for the acknowledgements too (those messages may still be delivered).
            _registration = cancellationToken.UnsafeRegister(static (s, _) => ((BatchCompletion)s!).CancelWaiting(), this);
        }

        Release();
    }

    private void CancelWaiting()
    {
        foreach (var slot in _slots!)
        {
            slot?.CancelWaiting();
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _registration.Unregister();
            _completion.SetResult(new PublishBatchResult(_outcomes));
        }
    }
}
