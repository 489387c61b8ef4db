using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using Microsoft.Extensions.Time.Testing;

namespace EventBus.Kafka.Tests.Consuming;

public sealed class OffsetCommitterTests
{
    [Fact]
    public void Commit_HighestContiguousCompletedOffset_OnlyPartitionsThatMoved()
    {
        var fake = new FakeConsumer();
        var committer = ConsumerParts.Committer(fake);
        var p0 = ConsumerParts.Partition(0);
        var p1 = ConsumerParts.Partition(1);
        ConsumerParts.Dispatched(p0, 10, 5);
        ConsumerParts.Dispatched(p1, 0, 2);
        foreach (var offset in new long[] { 10, 11, 13, 14 })
        {
            committer.Completed(p0, offset); // 12 still running
        }

        Assert.True(committer.Commit([p0, p1]));
        Assert.Equal([new TopicPartitionOffset(p0.TopicPartition, 12)], Assert.Single(fake.Commits));

        committer.Completed(p0, 12);
        Assert.True(committer.Commit([p0, p1]));
        Assert.Equal([new TopicPartitionOffset(p0.TopicPartition, 15)], fake.Commits.Last());
        Assert.Equal(15, p0.Committed);
    }

    [Fact]
    public void CommitIfDue_RefusedByARebalance_RetriedAfterTheRetryDelay_WithoutNewCompletions()
    {
        var time = new FakeTimeProvider();
        var fake = new FakeConsumer();
        var options = new EventConsumerOptions { CommitInterval = TimeSpan.FromSeconds(5) };
        var counters = new ConsumerCounters();
        var committer = ConsumerParts.Committer(fake, options, time, counters);
        var p0 = ConsumerParts.Partition(0);
        ConsumerParts.Dispatched(p0, 0, 3);
        for (var offset = 0L; offset < 3; offset++)
        {
            committer.Completed(p0, offset);
        }

        time.Advance(TimeSpan.FromSeconds(5));
        fake.RefuseCommits(ErrorCode.RebalanceInProgress);
        committer.CommitIfDue([p0]);
        Assert.True(committer.IsOwed);
        Assert.Empty(fake.Commits);

        time.Advance(OffsetCommitter.RetryDelay / 2);
        committer.CommitIfDue([p0]);
        Assert.Single(fake.CommitAttempts); // not before the retry delay: no commit storm

        time.Advance(OffsetCommitter.RetryDelay);
        committer.CommitIfDue([p0]);
        Assert.Equal([new TopicPartitionOffset(p0.TopicPartition, 3)], Assert.Single(fake.Commits));
        Assert.False(committer.IsOwed);
        Assert.Equal((1L, 1L), (counters.Commits, counters.CommitFailures));
    }

    [Fact]
    public void CommitIfDue_Batched_WaitsForTheIntervalOrTheCount_PerMessageCommitsAtOnce()
    {
        var time = new FakeTimeProvider();
        var fake = new FakeConsumer();
        var batched = ConsumerParts.Committer(fake, new EventConsumerOptions { CommitInterval = TimeSpan.FromSeconds(5), CommitBatchSize = 3 }, time);
        var p0 = ConsumerParts.Partition(0);
        ConsumerParts.Dispatched(p0, 0, 4);
        batched.Completed(p0, 0);
        batched.CommitIfDue([p0]);
        Assert.Empty(fake.CommitAttempts);
        batched.Completed(p0, 1);
        batched.Completed(p0, 2);
        batched.CommitIfDue([p0]);
        Assert.Equal(3, Assert.Single(fake.Commits).Single().Offset.Value); // the count
        batched.Completed(p0, 3);
        batched.CommitIfDue([p0]);
        Assert.Single(fake.Commits);
        time.Advance(TimeSpan.FromSeconds(5));
        batched.CommitIfDue([p0]);
        Assert.Equal(4, fake.Commits.Last().Single().Offset.Value); // the interval

        var perMessageFake = new FakeConsumer();
        var perMessage = ConsumerParts.Committer(perMessageFake, new EventConsumerOptions { CommitMode = CommitMode.PerMessage }, time);
        var p1 = ConsumerParts.Partition(1);
        ConsumerParts.Dispatched(p1, 0, 1);
        perMessage.Completed(p1, 0);
        perMessage.CommitIfDue([p1]);
        Assert.Single(perMessageFake.Commits);
    }

    [Theory]
    [InlineData(ErrorCode.RebalanceInProgress, true)]
    [InlineData(ErrorCode.IllegalGeneration, true)]
    [InlineData(ErrorCode.UnknownMemberId, true)]
    [InlineData(ErrorCode.Local_State, true)]
    [InlineData(ErrorCode.GroupAuthorizationFailed, false)]
    [InlineData(ErrorCode.Local_Transport, false)]
    public void IsRebalanceError_ExpectedDuringARebalanceOnly(ErrorCode code, bool expected) =>
        Assert.Equal(expected, OffsetCommitter.IsRebalanceError(code));

    [Fact]
    public void CommitsRefused_CommitBatchSizeHandledSinceTheLastSuccess_FetchingPausedUntilACommitSucceeds()
    {
        // The coordinator refuses commits for a while: without a bound every record handled meanwhile would be
        // redelivered once the partitions are lost, for as long as the refusals last.
        var time = new FakeTimeProvider();
        var fake = new FakeConsumer();
        var counters = new ConsumerCounters();
        var options = new EventConsumerOptions { CommitInterval = TimeSpan.FromSeconds(5), CommitBatchSize = 4 };
        var committer = ConsumerParts.Committer(fake, options, time, counters);
        var backPressure = new BackPressure(maxInFlight: 100, counters, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var p0 = ConsumerParts.Partition(0);
        fake.Assignment.Add(p0.TopicPartition);
        ConsumerParts.Dispatched(p0, 0, 10);
        fake.RefuseCommits(ErrorCode.NotCoordinatorForGroup, ErrorCode.NotCoordinatorForGroup, ErrorCode.NotCoordinatorForGroup);

        for (var offset = 0L; offset < 4; offset++)
        {
            committer.Completed(p0, offset);
        }

        committer.CommitIfDue([p0]); // the count is due: refused
        Assert.True(committer.IsOwed);
        Assert.True(committer.IsStalled);
        backPressure.Apply(fake, committer.IsStalled, committer.CompletedSinceSuccess);
        Assert.Equal([p0.TopicPartition], fake.Paused);

        time.Advance(OffsetCommitter.RetryDelay);
        committer.CommitIfDue([p0]); // refused again: still paused
        backPressure.Apply(fake, committer.IsStalled, committer.CompletedSinceSuccess);
        Assert.Equal([p0.TopicPartition], fake.Paused);
        Assert.Equal(4, committer.CompletedSinceSuccess);

        time.Advance(OffsetCommitter.RetryDelay);
        committer.CommitIfDue([p0]); // refused a third time
        time.Advance(OffsetCommitter.RetryDelay);
        committer.CommitIfDue([p0]); // accepted
        Assert.False(committer.IsStalled);
        backPressure.Apply(fake, committer.IsStalled, committer.CompletedSinceSuccess);
        Assert.Empty(fake.Paused);
        Assert.Equal(4, fake.Commits.Single().Single().Offset.Value);
    }

    [Fact]
    public void CommitRefusedOnce_FewerThanCommitBatchSizeHandled_NotStalled()
    {
        var time = new FakeTimeProvider();
        var fake = new FakeConsumer();
        var committer = ConsumerParts.Committer(fake, new EventConsumerOptions { CommitInterval = TimeSpan.FromSeconds(5), CommitBatchSize = 100 }, time);
        var p0 = ConsumerParts.Partition(0);
        ConsumerParts.Dispatched(p0, 0, 3);
        fake.RefuseCommits(ErrorCode.RebalanceInProgress);
        committer.Completed(p0, 0);
        time.Advance(TimeSpan.FromSeconds(5));

        committer.CommitIfDue([p0]);

        Assert.True(committer.IsOwed);
        Assert.False(committer.IsStalled); // one refusal in a rebalance does not stop fetching
    }
}
