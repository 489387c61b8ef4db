using System.Collections.Concurrent;
using Confluent.Kafka;
using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Tests.Consuming;

/// <summary>
/// Lanes on fewer concurrency slots than lanes (MaxConcurrency 1, several partitions): a lane keeps its slot for a
/// short slice instead of one record, and still takes turns with the others.
/// </summary>
public sealed class LaneSlotTests
{
    private const int PerPartition = 4;

    [Fact]
    public async Task ProcessQueuedAsync_TwoLanesOneSlot_SlowHandler_TakeTurns_OneAtATime_InOrder()
    {
        var parts = new ProcessorParts();
        var handled = new ConcurrentQueue<(int Partition, long Offset)>();
        var running = 0;
        var maxRunning = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var route = ConsumerParts.Route("in", async ctx =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            handled.Enqueue((ctx.Partition, ctx.Offset));
            if (ctx.Partition == 0 && ctx.Offset == 0)
            {
                await gate.Task; // holds the slot until the other lane waits for it
            }

            // A handler slower than the slot slice: every record should give the other lane its turn.
            await Task.Delay(RecordProcessor.SlotSlice * 5);
            Interlocked.Decrement(ref running);
        });
        var (first, second) = (Queued(parts, route, 0), Queued(parts, route, 1));

        // The first lane takes the slot and its first record waits at the gate; the second lane then waits for the
        // slot, so the order does not depend on which thread the scheduler starts first.
        var firstLane = parts.Records.ProcessQueuedAsync(first.Lanes[0]);
        var secondLane = parts.Records.ProcessQueuedAsync(second.Lanes[0]);
        Assert.Equal([(0, 0L)], handled);
        gate.SetResult();
        await Task.WhenAll(firstLane, secondLane).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        parts.Completions.Drain();

        Assert.Equal(1, maxRunning);

        // Each record slower than the slice hands the slot to the waiting lane: they alternate, each in its order.
        Assert.Equal(Enumerable.Range(0, PerPartition).SelectMany(o => new[] { (0, (long)o), (1, (long)o) }), handled);
        Assert.Equal((PerPartition, PerPartition), (first.Tracker.Committable, second.Tracker.Committable));
        Assert.Equal((0L, 0L), (first.InFlight, second.InFlight));
    }

    [Fact]
    public async Task ProcessQueuedAsync_FastHandler_EveryRecordHandledOnceInOrder_AllCommittable()
    {
        var parts = new ProcessorParts();
        var handled = new ConcurrentQueue<(int Partition, long Offset)>();
        var running = 0;
        var maxRunning = 0;
        var route = ConsumerParts.Route("in", ctx =>
        {
            InterlockedMax(ref maxRunning, Interlocked.Increment(ref running));
            handled.Enqueue((ctx.Partition, ctx.Offset));
            Interlocked.Decrement(ref running);
            return Task.CompletedTask;
        });
        var states = Enumerable.Range(0, 3).Select(p => Queued(parts, route, p)).ToArray();

        await Task.WhenAll(states.Select(s => Task.Run(() => parts.Records.ProcessQueuedAsync(s.Lanes[0]))));
        parts.Completions.Drain();

        Assert.Equal(1, maxRunning);
        Assert.Equal(3 * PerPartition, handled.Count);
        Assert.All(states, s =>
        {
            Assert.Equal([0L, 1, 2, 3], handled.Where(h => h.Partition == s.TopicPartition.Partition.Value).Select(h => h.Offset));
            Assert.Equal((PerPartition, 0L), (s.Tracker.Committable, s.InFlight));
        });
    }

    [Fact]
    public async Task ProcessQueuedAsync_PartitionRevokedWhileQueued_NoneHandled_EveryCompletionPosted_NothingCommittable()
    {
        var parts = new ProcessorParts();
        var handled = 0;
        var state = Queued(parts, ConsumerParts.Route("in", _ =>
        {
            Interlocked.Increment(ref handled);
            return Task.CompletedTask;
        }), 0);
        state.Revoked = true;

        await parts.Records.ProcessQueuedAsync(state.Lanes[0]);
        parts.Completions.Drain();

        Assert.Equal(0, handled);
        Assert.Equal((0L, -1L), (state.InFlight, state.Tracker.Committable));
        Assert.True(state.Lanes[0].Queue.IsEmpty);
    }

    private static PartitionState Queued(ProcessorParts parts, ConsumerRoute route, int partition)
    {
        var state = new PartitionState(new TopicPartition("in", partition), route, 1);
        ConsumerParts.Dispatched(state, 0, PerPartition);
        for (var offset = 0; offset < PerPartition; offset++)
        {
            Interlocked.Increment(ref parts.Counters.InFlight);
            state.Lanes[0].Queue.Enqueue(FakeConsumer.Record("in", partition, offset));
        }

        return state;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
