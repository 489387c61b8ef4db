namespace EventBus.Benchmarks.Harness;

/// <summary>
/// At most <c>size</c> tasks in flight, for the Task-returning variants: a ring of the tasks started; before
/// starting the next one, the oldest is awaited if it has not finished (and observed if it has, so a failure
/// surfaces). No continuation or allocation per task. Against <see cref="InFlightWindow"/> it is, if anything,
/// the stricter bound: it waits for the oldest message even when later ones are done.
/// </summary>
internal sealed class TaskWindow<T>(int size, Func<T, bool>? succeeded = null)
{
    private readonly Task<T>?[] _ring = new Task<T>?[size];
    private long _started;

    public long Waits { get; private set; }

    /// <summary>Results that <c>succeeded</c> said were failures (a failed task throws instead).</summary>
    public int Failures { get; private set; }

    /// <summary>Waits until there is room for one more task.</summary>
    public ValueTask MakeRoomAsync()
    {
        var oldest = _ring[_started % _ring.Length];
        if (oldest is null)
        {
            return ValueTask.CompletedTask;
        }

        if (oldest.IsCompletedSuccessfully)
        {
            Observe(oldest.Result);
            return ValueTask.CompletedTask;
        }

        Waits++;
        return WaitAsync(oldest);
    }

    /// <summary>Records the task just started.</summary>
    public void Add(Task<T> task) => _ring[_started++ % _ring.Length] = task;

    /// <summary>Awaits every task still in the ring.</summary>
    public async Task DrainAsync()
    {
        // Oldest first: from the next slot to overwrite once the ring has wrapped, from 0 before.
        var count = (int)Math.Min(_started, _ring.Length);
        var oldest = _started >= _ring.Length ? _started : 0;
        for (var i = 0; i < count; i++)
        {
            Observe(await _ring[(oldest + i) % _ring.Length]!.ConfigureAwait(false));
        }
    }

    private async ValueTask WaitAsync(Task<T> task) => Observe(await task.ConfigureAwait(false));

    private void Observe(T result)
    {
        if (succeeded is not null && !succeeded(result))
        {
            Failures++;
        }
    }
}
