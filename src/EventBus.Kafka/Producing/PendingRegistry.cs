namespace EventBus.Kafka.Producing;

/// <summary>
/// The messages not yet acknowledged, so closing can fail them instead of leaving callers waiting forever.
/// Intrusive lists in shards, each with its own lock: no allocation, and publishers on different threads rarely meet.
/// </summary>
internal sealed class PendingRegistry
{
    private const int ShardCount = 16;
    private readonly Shard[] _shards = Enumerable.Range(0, ShardCount).Select(_ => new Shard()).ToArray();

    public void Add(IPendingDelivery pending)
    {
        var index = Environment.CurrentManagedThreadId & (ShardCount - 1);
        var shard = _shards[index];
        lock (shard)
        {
            pending.Shard = index;
            pending.Next = shard.Head;
            if (shard.Head is not null)
            {
                shard.Head.Previous = pending;
            }

            shard.Head = pending;
        }
    }

    /// <summary>Removes the message; returns false if it was not registered (already completed).</summary>
    public bool Remove(IPendingDelivery pending)
    {
        var index = pending.Shard;
        if (index < 0)
        {
            return false;
        }

        var shard = _shards[index];
        lock (shard)
        {
            if (pending.Shard < 0)
            {
                return false;
            }

            if (pending.Previous is not null)
            {
                pending.Previous.Next = pending.Next;
            }
            else
            {
                shard.Head = pending.Next;
            }

            if (pending.Next is not null)
            {
                pending.Next.Previous = pending.Previous;
            }

            pending.Previous = pending.Next = null;
            pending.Shard = -1;
            return true;
        }
    }

    public void FailAll(Func<IPendingDelivery, bool> which, Action<IPendingDelivery> fail)
    {
        foreach (var shard in _shards)
        {
            List<IPendingDelivery> left = [];
            lock (shard)
            {
                for (var c = shard.Head; c is not null; c = c.Next)
                {
                    if (which(c))
                    {
                        left.Add(c);
                    }
                }
            }

            left.ForEach(fail);
        }
    }

    private sealed class Shard
    {
        public IPendingDelivery? Head { get; set; }
    }
}
