using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EventBus.Kafka.Tests.Consuming;

/// <summary>
/// The fetch-stall watchdog: an owned partition that receives nothing although its leader holds records beyond its
/// position is assigned again at that position; an idle, a receiving or a paused partition is left alone.
/// </summary>
public sealed class FetchStallWatchdogTests
{
    [Fact]
    public void QuietWithRecordsBeyondThePosition_AssignedAgainAtThePosition_NothingSkippedOrReadTwice()
    {
        var (fake, time, counters, watchdog, owned) = Parts(2);
        ConsumerParts.Dispatched(owned[0], 100, 20);
        ConsumerParts.Dispatched(owned[1], 50, 5);
        fake.Positions[owned[0].TopicPartition] = 120;
        fake.Positions[owned[1].TopicPartition] = 55;
        fake.EndOffsets[owned[0].TopicPartition] = 180; // records the member never receives
        fake.EndOffsets[owned[1].TopicPartition] = 55; // idle: nothing beyond the position

        RunFor(watchdog, fake, time, FetchStallWatchdog.QuietFor);
        Assert.Empty(fake.AssignmentCalls); // asked, not yet answered at a check
        time.Advance(FetchStallWatchdog.CheckInterval);
        watchdog.Check(fake);

        Assert.Equal(["unassign 0", "assign 0@120"], fake.AssignmentCalls);
        Assert.Equal(1, counters.FetchRestarts);
    }

    [Fact]
    public void ReceivingPartition_NeverAsked()
    {
        var (fake, time, counters, watchdog, owned) = Parts(1);
        fake.Positions[owned[0].TopicPartition] = 10;
        fake.EndOffsets[owned[0].TopicPartition] = 1_000;
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(3); elapsed += FetchStallWatchdog.CheckInterval)
        {
            ConsumerParts.Dispatched(owned[0], 10 + (long)elapsed.TotalSeconds, 1); // a record between two checks
            watchdog.Check(fake);
            time.Advance(FetchStallWatchdog.CheckInterval);
        }

        Assert.Equal(0, fake.EndOffsetQueries);
        Assert.Empty(fake.AssignmentCalls);
        Assert.Equal(0, counters.FetchRestarts);
    }

    [Fact]
    public void PausedPartition_NotAsked_WhileThePollLoopHoldsIt()
    {
        var (fake, time, _, watchdog, owned) = Parts(1);
        fake.Positions[owned[0].TopicPartition] = 10;
        fake.EndOffsets[owned[0].TopicPartition] = 1_000;
        owned[0].Paused = true; // back-pressure: it receives nothing on purpose

        RunFor(watchdog, fake, time, TimeSpan.FromMinutes(3));

        Assert.Equal(0, fake.EndOffsetQueries);
        Assert.Empty(fake.AssignmentCalls);
    }

    [Fact]
    public void IdlePartition_AskedLessOftenEachTime_UpToTheLongestWait()
    {
        var (fake, time, _, watchdog, owned) = Parts(1);
        fake.Positions[owned[0].TopicPartition] = 10;
        fake.EndOffsets[owned[0].TopicPartition] = 10;

        RunFor(watchdog, fake, time, TimeSpan.FromMinutes(60));

        // 30 s, then 60, 120, 240 s, then every 5 minutes: about 15 small requests in an hour, never an assignment.
        Assert.InRange(fake.EndOffsetQueries, 12, 16);
        Assert.Empty(fake.AssignmentCalls);
    }

    [Fact]
    public void ReceivesAfterTheQuestion_LeftAlone()
    {
        var (fake, time, counters, watchdog, owned) = Parts(1);
        fake.Positions[owned[0].TopicPartition] = 10;
        fake.EndOffsets[owned[0].TopicPartition] = 20;

        RunFor(watchdog, fake, time, FetchStallWatchdog.QuietFor);
        Assert.Equal(1, fake.EndOffsetQueries);
        ConsumerParts.Dispatched(owned[0], 10, 10); // the fetch was only slow
        time.Advance(FetchStallWatchdog.CheckInterval);
        watchdog.Check(fake);

        Assert.Empty(fake.AssignmentCalls);
        Assert.Equal(0, counters.FetchRestarts);
    }

    [Fact]
    public void RefusedAssign_TriedAgainAtTheNextCheck_AtTheSamePosition()
    {
        var (fake, time, _, watchdog, owned) = Parts(1);
        fake.Positions[owned[0].TopicPartition] = 10;
        fake.EndOffsets[owned[0].TopicPartition] = 20;
        fake.RefuseNextAssign = ErrorCode.Local_State;

        RunFor(watchdog, fake, time, FetchStallWatchdog.QuietFor + FetchStallWatchdog.CheckInterval);
        Assert.Equal(["unassign 0"], fake.AssignmentCalls);
        time.Advance(FetchStallWatchdog.CheckInterval);
        watchdog.Check(fake);

        Assert.Equal(["unassign 0", "assign 0@10"], fake.AssignmentCalls);
    }

    [Fact]
    public void NoAnswer_NothingAssigned()
    {
        var (fake, time, _, watchdog, owned) = Parts(1);
        fake.Positions[owned[0].TopicPartition] = 10; // no end offset: the query fails (the leader is down, say)

        RunFor(watchdog, fake, time, TimeSpan.FromMinutes(5));

        Assert.True(fake.EndOffsetQueries > 0);
        Assert.Empty(fake.AssignmentCalls);
    }

    private static void RunFor(FetchStallWatchdog watchdog, FakeConsumer fake, FakeTimeProvider time, TimeSpan span)
    {
        for (var elapsed = TimeSpan.Zero; elapsed <= span; elapsed += FetchStallWatchdog.CheckInterval)
        {
            watchdog.Check(fake);
            if (elapsed < span)
            {
                time.Advance(FetchStallWatchdog.CheckInterval);
            }
        }
    }

    private static (FakeConsumer Fake, FakeTimeProvider Time, ConsumerCounters Counters, FetchStallWatchdog Watchdog, List<PartitionState> Owned) Parts(int partitions)
    {
        var fake = new FakeConsumer();
        var time = new FakeTimeProvider();
        var counters = new ConsumerCounters();
        var owned = Enumerable.Range(0, partitions).Select(p => ConsumerParts.Partition(p)).ToList();
        var watchdog = new FetchStallWatchdog(() => owned, () => false, counters, "g", NullLogger.Instance, time, static query => Task.FromResult(query()));
        return (fake, time, counters, watchdog, owned);
    }
}
