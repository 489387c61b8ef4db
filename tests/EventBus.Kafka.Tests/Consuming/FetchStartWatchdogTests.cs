using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EventBus.Kafka.Tests.Consuming;

/// <summary>
/// The fetch-start watchdog: a partition librdkafka left assigned but unstarted (its committed offset could not be
/// read) is assigned again; a partition that receives records, or has a fetch position, is left alone.
/// </summary>
public sealed class FetchStartWatchdogTests
{
    private const string OffsetFetchFailed = "Failed to fetch committed offset for group \"g\" topic in [0]: Broker: Not coordinator";

    [Fact]
    public void CommittedOffsetsNotRead_UnstartedPartitionsAssignedAgainWithNoOffset_OnceForSeveralErrors()
    {
        var (fake, time, counters, watchdog, owned) = Parts(3);
        ConsumerParts.Dispatched(owned[1], 0, 5); // started: records arrived
        fake.Positions[owned[2].TopicPartition] = 7; // started: a record was consumed
        watchdog.Check(fake); // the first look, before any error: nothing is due yet
        Assert.Empty(fake.AssignmentCalls);

        // librdkafka raises it for the request and for each partition of the answer.
        watchdog.OnError(new Error(ErrorCode.NotCoordinatorForGroup, OffsetFetchFailed));
        watchdog.OnError(new Error(ErrorCode.NotCoordinatorForGroup, "Failed to fetch committed offsets for 3 partition(s) in group \"g\": Broker: Not coordinator"));
        watchdog.Check(fake);
        Assert.Empty(fake.AssignmentCalls); // it waits a moment, so that it acts once for all of them
        time.Advance(FetchStartWatchdog.AfterErrorDelay);
        watchdog.Check(fake);

        Assert.Equal(["unassign 0", "assign 0@-1001"], fake.AssignmentCalls);
        Assert.Equal(1, counters.FetchRestarts);
        time.Advance(FetchStartWatchdog.CheckInterval);
        watchdog.Check(fake);
        Assert.Equal(2, fake.AssignmentCalls.Count); // no new error, not yet due: left alone
    }

    [Fact]
    public void OtherErrors_DoNotTrigger()
    {
        var (fake, time, _, watchdog, _) = Parts(1);
        watchdog.Check(fake);
        watchdog.OnError(new Error(ErrorCode.Local_Transport, "127.0.0.1:9092/1: Disconnected"));
        time.Advance(FetchStartWatchdog.CheckInterval);
        watchdog.Check(fake);
        Assert.Empty(fake.AssignmentCalls);
    }

    [Fact]
    public void NoErrorSeen_PartitionWithoutRecordsOrPosition_AssignedAgainAfterTheWait_ThenAfterLongerWaits()
    {
        var (fake, time, counters, watchdog, _) = Parts(1);
        var restarts = new List<TimeSpan>();
        var start = time.GetUtcNow();
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(30); elapsed += FetchStartWatchdog.CheckInterval)
        {
            var before = counters.FetchRestarts;
            watchdog.Check(fake);
            if (counters.FetchRestarts > before)
            {
                restarts.Add(time.GetUtcNow() - start);
            }

            time.Advance(FetchStartWatchdog.CheckInterval);
        }

        // 60 s, then 120 s, 240 s, 480 s later, then every 10 minutes.
        Assert.Equal([60, 180, 420, 900, 1500], restarts.Select(r => r.TotalSeconds));
    }

    [Fact]
    public void PartitionReceivesRecordsLater_NotAssignedAgain()
    {
        var (fake, time, counters, watchdog, owned) = Parts(1);
        watchdog.Check(fake);
        time.Advance(TimeSpan.FromSeconds(30));
        ConsumerParts.Dispatched(owned[0], 0, 1);
        time.Advance(TimeSpan.FromMinutes(5));
        watchdog.Check(fake);
        watchdog.OnError(new Error(ErrorCode.NotCoordinatorForGroup, OffsetFetchFailed));
        time.Advance(FetchStartWatchdog.CheckInterval);
        watchdog.Check(fake);
        Assert.Empty(fake.AssignmentCalls);
        Assert.Equal(0, counters.FetchRestarts);
    }

    [Fact]
    public void AssignRefused_NotCounted_TriedAgainAtTheNextError()
    {
        var (fake, time, counters, watchdog, _) = Parts(1);
        fake.RefuseNextUnassign = ErrorCode.Local_State;
        watchdog.OnError(new Error(ErrorCode.NotCoordinatorForGroup, OffsetFetchFailed));
        time.Advance(FetchStartWatchdog.AfterErrorDelay);
        watchdog.Check(fake);
        Assert.Empty(fake.AssignmentCalls);
        Assert.Equal(0, counters.FetchRestarts);

        watchdog.OnError(new Error(ErrorCode.NotCoordinatorForGroup, OffsetFetchFailed));
        time.Advance(FetchStartWatchdog.CheckInterval);
        watchdog.Check(fake);
        Assert.Equal(["unassign 0", "assign 0@-1001"], fake.AssignmentCalls);
        Assert.Equal(1, counters.FetchRestarts);
    }

    [Fact]
    public void AssignRefusedAfterTheUnassign_AssignedAtTheNextCheck_WithoutAnotherUnassign()
    {
        var (fake, time, counters, watchdog, _) = Parts(1);
        fake.RefuseNextAssign = ErrorCode.Local_State;
        watchdog.OnError(new Error(ErrorCode.NotCoordinatorForGroup, OffsetFetchFailed));
        time.Advance(FetchStartWatchdog.AfterErrorDelay);
        watchdog.Check(fake);
        Assert.Equal(["unassign 0"], fake.AssignmentCalls);
        Assert.Equal(0, counters.FetchRestarts);

        watchdog.Check(fake); // due at once, no error needed
        Assert.Equal(["unassign 0", "assign 0@-1001"], fake.AssignmentCalls);
        Assert.Equal(1, counters.FetchRestarts);
    }

    private static (FakeConsumer Fake, FakeTimeProvider Time, ConsumerCounters Counters, FetchStartWatchdog Watchdog, List<PartitionState> Owned) Parts(int partitions)
    {
        var fake = new FakeConsumer();
        var time = new FakeTimeProvider();
        var counters = new ConsumerCounters();
        var owned = Enumerable.Range(0, partitions).Select(p => ConsumerParts.Partition(p)).ToList();
        var watchdog = new FetchStartWatchdog(() => owned, counters, "g", NullLogger.Instance, time);
        return (fake, time, counters, watchdog, owned);
    }
}
