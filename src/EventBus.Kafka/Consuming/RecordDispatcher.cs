using Confluent.Kafka;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// Hands records to lanes: one lane per partition (<see cref="OrderingMode.Partition"/>) or per key group
/// (<see cref="OrderingMode.Key"/>), each drained by one worker at a time, so order is kept per lane while
/// <see cref="EventConsumerOptions.MaxConcurrency"/> lanes run at once. Dispatch and lane starts are poll-thread
/// only; the lanes run on the thread pool.
/// </summary>
internal sealed class RecordDispatcher(RecordProcessor records, BatchProcessor batches, ConsumerCallContext callContext, ConsumerCounters counters)
{
    private readonly List<Lane> _lanesToStart = [];

    /// <summary>Queues a record on its lane; the lane starts at the next <see cref="StartLanes"/>.</summary>
    /// <param name="state">The record's partition (owned).</param>
    /// <param name="record">The record.</param>
    public void Dispatch(PartitionState state, ConsumeResult<byte[]?, byte[]?> record)
    {
        Interlocked.Increment(ref counters.Received);
        state.Tracker.Add(record.Offset.Value);
        state.Dispatched++;
        Interlocked.Increment(ref counters.InFlight);
        var lanes = state.Lanes;
        var lane = lanes.Length == 1 ? lanes[0] : lanes[LaneOf(record.Message.Key, lanes.Length)];
        lane.Queue.Enqueue(record);
        if (Interlocked.CompareExchange(ref lane.Running, 1, 0) == 0)
        {
            _lanesToStart.Add(lane);
        }
    }

    /// <summary>
    /// Starts the lanes that got their first records since the last call: once per burst of records, so one
    /// thread-pool wake-up per lane per burst instead of one per record.
    /// </summary>
    public void StartLanes()
    {
        foreach (var lane in _lanesToStart)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Dispatcher.DrainAsync(s.Lane), (Dispatcher: this, Lane: lane), preferLocal: false);
        }

        _lanesToStart.Clear();
    }

    /// <summary>The lane of a key: a stable hash, so one key always goes to the same lane of its partition.</summary>
    /// <param name="key">The record key.</param>
    /// <param name="lanes">The number of lanes.</param>
    /// <returns>The lane index.</returns>
    public static int LaneOf(byte[]? key, int lanes)
    {
        if (key is null)
        {
            return 0;
        }

        var hash = 17u;
        foreach (var b in key)
        {
            hash = (hash * 31) + b;
        }

        return (int)(hash % (uint)lanes);
    }

    private async Task DrainAsync(Lane lane)
    {
        // Marks everything the handlers of this lane call (StopAsync, Dispose) as coming from inside the consumer.
        callContext.EnterHandlers();
        var state = lane.Owner;
        while (true)
        {
            if (state.Route.IsBatch)
            {
                while (lane.Queue.TryDequeue(out var record))
                {
                    await batches.ProcessAsync(lane, record).ConfigureAwait(false);
                }
            }
            else
            {
                await records.ProcessQueuedAsync(lane).ConfigureAwait(false);
            }

            Volatile.Write(ref lane.Running, 0);
            if (lane.Queue.IsEmpty || Interlocked.CompareExchange(ref lane.Running, 1, 0) != 0)
            {
                return;
            }
        }
    }
}
