namespace EventBus.Kafka.Consuming;

/// <summary>
/// The highest contiguous completed offset of a partition. Offsets are added in dispatch order (ascending);
/// completions may arrive out of order (key ordering); the committable offset only moves past completed ones.
/// </summary>
internal sealed class OffsetTracker
{
    private readonly Queue<long> _pending = new();
    private readonly HashSet<long> _doneOutOfOrder = [];

    /// <summary>Gets the offset to commit (next to read), or -1 when nothing completed yet.</summary>
    public long Committable { get; private set; } = -1;

    public void Add(long offset) => _pending.Enqueue(offset);

    public void Complete(long offset)
    {
        if (_pending.Count > 0 && _pending.Peek() == offset)
        {
            _pending.Dequeue();
            Committable = offset + 1;
            while (_pending.Count > 0 && _doneOutOfOrder.Remove(_pending.Peek()))
            {
                Committable = _pending.Dequeue() + 1;
            }
        }
        else
        {
            _doneOutOfOrder.Add(offset);
        }
    }
}
