using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Tests.Producing;

/// <summary>How a synchronous publish waits for its acknowledgement: spin as long as acknowledgements recently took, then block.</summary>
public sealed class AcknowledgementWaitTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(40, 80)]
    [InlineData(100, 200)]
    [InlineData(125, 250)]
    [InlineData(200, 250)]
    [InlineData(250, 250)]
    public void SpinBudget_IsTwiceTheRecentAcknowledgementTime_AtMost250Microseconds(int recentMicroseconds, int expectedMicroseconds) =>
        Assert.Equal(TimeSpan.FromMicroseconds(expectedMicroseconds), AcknowledgementWait.SpinBudget(recentMicroseconds));

    [Theory]
    [InlineData(251)]
    [InlineData(2_000)]
    public void SpinBudget_IsZero_WhenAcknowledgementsTakeLongerThanTheLongestSpin(int recentMicroseconds) =>
        Assert.Equal(TimeSpan.Zero, AcknowledgementWait.SpinBudget(recentMicroseconds));

    [Fact]
    public void Record_MovesTheAverageTowardWhatAcknowledgementsTake_SoAFarBrokerStopsTheSpinAndANearOneBringsItBack()
    {
        var wait = new AcknowledgementWait();
        for (var i = 0; i < 40; i++)
        {
            wait.Record(TimeSpan.FromMilliseconds(2));
        }

        Assert.InRange(wait.RecentMicroseconds, 1_900, 2_000);
        Assert.Equal(TimeSpan.Zero, AcknowledgementWait.SpinBudget(wait.RecentMicroseconds));

        for (var i = 0; i < 60; i++)
        {
            wait.Record(TimeSpan.FromMicroseconds(80));
        }

        Assert.InRange(wait.RecentMicroseconds, 80, 90);
        Assert.Equal(TimeSpan.FromMicroseconds(2 * wait.RecentMicroseconds), AcknowledgementWait.SpinBudget(wait.RecentMicroseconds));
    }

    [Fact]
    public void Wait_ReturnsAsSoonAsTheAcknowledgementCame_FaultedAndCancelledCountAsCame()
    {
        var wait = new AcknowledgementWait();

        Assert.True(wait.Wait(Task.CompletedTask, TimeSpan.Zero));
        Assert.True(wait.Wait(Task.FromException(new InvalidOperationException("failed")), TimeSpan.Zero));
        Assert.True(wait.Wait(Task.FromCanceled(new CancellationToken(canceled: true)), TimeSpan.Zero));
    }

    [Fact]
    public void Wait_SeesAnAcknowledgementThatComesWhileItSpinsOrBlocks()
    {
        var wait = new AcknowledgementWait();
        var acknowledgement = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var ack = new Timer(_ => acknowledgement.SetResult(), null, TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);

        Assert.True(wait.Wait(acknowledgement.Task, TimeSpan.FromSeconds(30)));
        Assert.True(acknowledgement.Task.IsCompleted);
    }

    [Fact]
    public void Wait_ReturnsFalse_WhenNoAcknowledgementCameInTime_AndLeavesTheAverageAlone()
    {
        var wait = new AcknowledgementWait();
        var before = wait.RecentMicroseconds;
        var never = new TaskCompletionSource();

        Assert.False(wait.Wait(never.Task, TimeSpan.FromMilliseconds(20)));
        Assert.Equal(before, wait.RecentMicroseconds);
    }
}
