namespace EventBus.Benchmarks.Harness;

/// <summary>
/// At most <c>size</c> tasks in flight, for the Task-returning variants: a ring of the tasks started. Before
/// starting the next one, the tasks that finished are observed (so a failure surfaces) and let go, oldest first, as
/// a service lets go of a publish once it is done; if the ring is still full, the oldest is awaited. No continuation or
/// allocation per task. Against <see cref="InFlightWindow"/> it is, if anything, the stricter bound: it waits for the
/// oldest message even when later ones are done.
/// </summary>
/// <remarks>
/// Letting go matters: holding every one of the last <c>size</c> tasks and its result until its slot is reused kept
/// about 200 B per message alive that neither a service nor the callback baseline keeps, and the collector copied
/// it from generation to generation (gen0 collections promoting ~10 MB instead of ~0.3 MB): the harness's cost,
/// charged to the Task variants.
/// </remarks>
internal sealed class TaskWindow<T>(int size, Func<T, bool>? succeeded = null)
{
    private readonly Task<T>?[] _ring = new Task<T>?[size];
    private long _started;
    private long _released;

    public long Waits { get; private set; }

    /// <summary>Results that <c>succeeded</c> said were failures (a failed task throws instead).</summary>
    public int Failures { get; private set; }

    /// <summary>Waits until there is room for one more task.</summary>
    public ValueTask MakeRoomAsync()
    {
        while (_released < _started && _ring[_released % _ring.Length] is { IsCompleted: true } done)
        {
            Release(done);
        }

        if (_started - _released < _ring.Length)
        {
            return ValueTask.CompletedTask;
        }

        Waits++;
        return WaitAsync(_ring[_released % _ring.Length]!);
    }

    /// <summary>Records the task just started.</summary>
    public void Add(Task<T> task) => _ring[_started++ % _ring.Length] = task;

    /// <summary>Awaits every task still in the ring, oldest first.</summary>
    public async Task DrainAsync()
    {
        while (_released < _started)
        {
            var oldest = _ring[_released % _ring.Length]!;
            await ((Task)oldest).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Release(oldest);
        }
    }

    private async ValueTask WaitAsync(Task<T> oldest)
    {
        await ((Task)oldest).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Release(oldest);
    }

    private void Release(Task<T> task)
    {
        _ring[_released++ % _ring.Length] = null;
        var result = task.GetAwaiter().GetResult(); // throws the task's exception, as awaiting it would
        if (succeeded is not null && !succeeded(result))
        {
            Failures++;
        }
    }
}
