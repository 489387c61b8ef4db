using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Tests.Consuming;

public sealed class CompletionQueueTests
{
    [Fact]
    public void Drain_CountsEachCompletion_DoneOnesReachTheTracker_LateOnesOfRemovedPartitionsAreIgnored()
    {
        var counters = new ConsumerCounters { InFlight = 4 };
        var committer = ConsumerParts.Committer(new FakeConsumer());
        var queue = new CompletionQueue(committer, counters);
        var kept = ConsumerParts.Partition(0);
        var gone = ConsumerParts.Partition(1);
        ConsumerParts.Dispatched(kept, 0, 2);
        ConsumerParts.Dispatched(gone, 0, 2);
        gone.Removed = true;

        queue.Post(kept, 0, done: true);
        queue.Post(kept, 1, done: false); // dropped: stays uncommitted
        queue.Post(gone, 0, done: true);
        queue.Post(gone, 1, done: true);
        queue.Drain();

        Assert.Equal(0, counters.InFlight);
        Assert.Equal((0L, 1L), (kept.InFlight, kept.Tracker.Committable));
        Assert.Equal(2, gone.InFlight); // never counted: the partition is gone
    }

    [Fact]
    public async Task WaitForInFlight_ReturnsWhenTheLastCompletionArrives_OrFalseAtTheTimeout()
    {
        var counters = new ConsumerCounters { InFlight = 1 };
        var queue = new CompletionQueue(ConsumerParts.Committer(new FakeConsumer()), counters);
        var state = ConsumerParts.Partition(0);
        ConsumerParts.Dispatched(state, 0, 1);

        Assert.False(queue.WaitForInFlight([state], TimeSpan.FromMilliseconds(50)));
        var waiting = Task.Run(() => queue.WaitForInFlight([state], TimeSpan.FromSeconds(10)), TestContext.Current.CancellationToken);
        queue.Post(state, 0, done: true);
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }
}
