using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Tests.Consuming;

public sealed class OffsetTrackerTests
{
    [Fact]
    public void InOrderCompletion_CommittableFollows()
    {
        var tracker = new OffsetTracker();
        foreach (var offset in new long[] { 10, 11, 12 })
        {
            tracker.Add(offset);
        }

        Assert.Equal(-1, tracker.Committable);
        tracker.Complete(10);
        Assert.Equal(11, tracker.Committable);
        tracker.Complete(11);
        tracker.Complete(12);
        Assert.Equal(13, tracker.Committable);
    }

    [Fact]
    public void OutOfOrderCompletion_OnlyHighestContiguousIsCommittable()
    {
        var tracker = new OffsetTracker();
        foreach (var offset in new long[] { 0, 1, 2, 3, 4 })
        {
            tracker.Add(offset);
        }

        tracker.Complete(2);
        tracker.Complete(4);
        Assert.Equal(-1, tracker.Committable); // 0 is still running: nothing may be committed
        tracker.Complete(0);
        Assert.Equal(1, tracker.Committable);
        tracker.Complete(1);
        Assert.Equal(3, tracker.Committable); // 0,1,2 done; 3 still running
        tracker.Complete(3);
        Assert.Equal(5, tracker.Committable);
    }

    [Fact]
    public void GapsInOffsets_CompactedOrTransactional_AreSkipped()
    {
        var tracker = new OffsetTracker();
        foreach (var offset in new long[] { 5, 9, 20 })
        {
            tracker.Add(offset);
        }

        tracker.Complete(9);
        tracker.Complete(5);
        Assert.Equal(10, tracker.Committable);
        tracker.Complete(20);
        Assert.Equal(21, tracker.Committable);
    }

    [Fact]
    public void DroppedRecord_NeverCompleted_HoldsTheCommitBack()
    {
        var tracker = new OffsetTracker();
        foreach (var offset in new long[] { 0, 1, 2 })
        {
            tracker.Add(offset);
        }

        tracker.Complete(0);
        tracker.Complete(2); // 1 was dropped when its partition was revoked

        Assert.Equal(1, tracker.Committable);
    }
}
