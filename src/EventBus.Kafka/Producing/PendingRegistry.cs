namespace EventBus.Kafka.Producing;

/// <summary>
/// The messages not yet acknowledged, so closing can fail them instead of leaving callers waiting forever.
/// A table of slots with a lock-free free list: adding takes a free slot, removing frees it, each with one
/// compare-and-swap and no allocation (the table grows in chunks to the most messages ever in flight at once).
/// </summary>
/// <remarks>
/// No lock on the hot path: publishers add on their threads while librdkafka's delivery thread removes, and the
/// earlier per-thread shards put one publisher and the delivery thread on the same lock for every message. The free
/// list is a stack (the slot freed last is taken next, still in cache) whose head carries a tag against ABA.
/// <see cref="Remove"/> succeeds once per <see cref="Add"/>: it swaps the slot's entry out only if it is still that
/// message, so a late second caller (a delivery report racing a cancellation or close) finds it gone.
/// </remarks>
internal sealed class PendingRegistry
{
    private const int ChunkBits = 10;
    private const int ChunkSize = 1 << ChunkBits;
    private readonly object _growGate = new();
    private Chunk[] _chunks = [new Chunk(0)];
    private FreeHead _head; // on a cache line of its own: written by every add and remove, unlike _chunks

    /// <summary>Creates the registry with one chunk of free slots.</summary>
    public PendingRegistry() => PushRange(_chunks[0]);

    /// <summary>Registers the message (it must not be registered already).</summary>
    /// <param name="pending">The message.</param>
    public void Add(IPendingDelivery pending)
    {
        int slot;
        while ((slot = Pop()) < 0)
        {
            Grow();
        }

        pending.Shard = slot;
        Volatile.Write(ref Entry(slot), pending);
    }

    /// <summary>Removes the message; returns false if it was not registered (already completed).</summary>
    /// <param name="pending">The message.</param>
    /// <returns>Whether this call removed it.</returns>
    public bool Remove(IPendingDelivery pending)
    {
        var slot = pending.Shard;
        if (slot < 0 || !ReferenceEquals(Interlocked.CompareExchange(ref Entry(slot), null, pending), pending))
        {
            return false;
        }

        pending.Shard = -1;
        Push(slot);
        return true;
    }

    /// <summary>Fails (outside any lock) every registered message <paramref name="which"/> selects.</summary>
    /// <param name="which">Which messages.</param>
    /// <param name="fail">What to do with each.</param>
    public void FailAll(Func<IPendingDelivery, bool> which, Action<IPendingDelivery> fail)
    {
        List<IPendingDelivery> selected = [];
        foreach (var chunk in Volatile.Read(ref _chunks))
        {
            for (var i = 0; i < ChunkSize; i++)
            {
                if (Volatile.Read(ref chunk.Entries[i]) is { } pending && which(pending))
                {
                    selected.Add(pending);
                }
            }
        }

        selected.ForEach(fail);
    }

    private ref IPendingDelivery? Entry(int slot) => ref Volatile.Read(ref _chunks)[slot >> ChunkBits].Entries[slot & (ChunkSize - 1)];

    private ref int NextFree(int slot) => ref Volatile.Read(ref _chunks)[slot >> ChunkBits].NextFree[slot & (ChunkSize - 1)];

    private int Pop()
    {
        var spinner = default(SpinWait);
        while (true)
        {
            var head = Volatile.Read(ref _head.Value);
            var slot = (int)(uint)head - 1;
            if (slot < 0)
            {
                return -1;
            }

            // A stale read of the next slot is harmless: the tag changed, so the exchange fails and we read again.
            var next = Volatile.Read(ref NextFree(slot));
            if (Interlocked.CompareExchange(ref _head.Value, Tagged(head, next), head) == head)
            {
                return slot;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private void Push(int slot)
    {
        var spinner = default(SpinWait);
        while (true)
        {
            var head = Volatile.Read(ref _head.Value);
            Volatile.Write(ref NextFree(slot), (int)(uint)head - 1);
            if (Interlocked.CompareExchange(ref _head.Value, Tagged(head, slot), head) == head)
            {
                return;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private static long Tagged(long head, int slot) => (((head >>> 32) + 1) << 32) | (uint)(slot + 1);

    private void Grow()
    {
        lock (_growGate)
        {
            if ((int)(uint)Volatile.Read(ref _head.Value) != 0)
            {
                return; // another thread grew the table, or slots were freed meanwhile
            }

            var chunks = _chunks;
            var grown = new Chunk[chunks.Length + 1];
            chunks.CopyTo(grown, 0);
            grown[^1] = new Chunk(chunks.Length * ChunkSize);
            Volatile.Write(ref _chunks, grown);
            PushRange(grown[^1]);
        }
    }

    private void PushRange(Chunk chunk)
    {
        for (var i = ChunkSize - 1; i >= 0; i--)
        {
            Push(chunk.First + i);
        }
    }

    /// <summary>(tag &lt;&lt; 32) | (slot + 1) of the first free slot (slot + 1 == 0: none free), padded to its own cache line.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 128)]
    private struct FreeHead
    {
        [System.Runtime.InteropServices.FieldOffset(64)]
        public long Value;
    }

    private sealed class Chunk(int first)
    {
        public int First { get; } = first;

        public IPendingDelivery?[] Entries { get; } = new IPendingDelivery?[ChunkSize];

        public int[] NextFree { get; } = new int[ChunkSize];
    }
}
