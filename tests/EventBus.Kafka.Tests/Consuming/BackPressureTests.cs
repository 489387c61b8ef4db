using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Tests.Consuming;

public sealed class BackPressureTests
{
    [Fact]
    public void PauseHogs_PausesAPartitionHoldingHalfTheBound_ResumesItAtAQuarter()
    {
        var counters = new ConsumerCounters();
        var backPressure = new BackPressure(maxInFlight: 100, counters, NullLogger.Instance);
        var fake = new FakeConsumer();
        var hog = ConsumerParts.Partition(0);
        var other = ConsumerParts.Partition(1);
        backPressure.OnAssignmentChanged(2, added: true);
        ConsumerParts.Dispatched(hog, 0, 60);
        ConsumerParts.Dispatched(other, 0, 10);
        counters.InFlight = 70;

        backPressure.PauseHogs(fake, [hog, other]);
        Assert.Equal([hog.TopicPartition], fake.Paused);
        Assert.Equal(10, backPressure.ActiveInFlight()); // the hog's records no longer hold the others back
        Assert.True(backPressure.IsPausing);

        hog.Finished = 30; // 30 left: still above a quarter of the bound
        backPressure.Apply(fake);
        Assert.Equal([hog.TopicPartition], fake.Paused);
        hog.Finished = 60; // all done
        counters.InFlight = 10;
        backPressure.Apply(fake);
        Assert.Empty(fake.Paused);
        Assert.False(backPressure.IsPausing);
    }

    [Fact]
    public void Apply_HardBound_PausesTheWholeAssignment_UntilBackUnderTheBound()
    {
        var counters = new ConsumerCounters();
        var backPressure = new BackPressure(maxInFlight: 10, counters, NullLogger.Instance);
        var fake = new FakeConsumer();
        fake.Assignment.AddRange([new TopicPartition("in", 0), new TopicPartition("in", 1)]);
        counters.InFlight = 20;

        backPressure.Apply(fake);
        Assert.Equal(fake.Assignment, fake.Paused);
        Assert.True(counters.Snapshot(EventConsumerState.Running).PausedForBackPressure);

        counters.InFlight = 10;
        backPressure.Apply(fake);
        Assert.Empty(fake.Paused);
        Assert.False(counters.Snapshot(EventConsumerState.Running).PausedForBackPressure);
    }
}
