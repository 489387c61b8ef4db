using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>
/// Brokers of a private mock cluster going down, partition leaders moving, a slow network — while EventProducer publishes
/// and EventConsumer consumes. Each scenario prints its RELIABILITY line and asserts nothing was lost.
/// </summary>
[Trait(ReliabilityCategory.Name, ReliabilityCategory.Value)]
public sealed class MockBrokerFaultTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task EachBrokerDownInTurn_DuringPublishAndConsume_NothingLost()
    {
        ReliabilityLane.MockScenario(broker);
        await using var cluster = new MockKafkaCluster(3);
        await using var run = await ScenarioRun.StartAsync(new ScenarioSettings { Name = "each broker down 3 s and up, in turn", Consumers = 2 }, ScenarioBroker.Mock(cluster), output);
        await run.WaitForProgressAsync(1_000);
        for (var id = 1; id <= cluster.BrokerCount; id++)
        {
            var victim = id;
            await run.FaultAsync($"broker {victim} down 3 s", () => cluster.SetBrokerDown(victim), TimeSpan.FromSeconds(3), () => cluster.SetBrokerUp(victim));
            await run.WaitForProgressAsync(500);
        }

        (await run.FinishAsync()).AssertNothingLost();
    }

    [Fact]
    public async Task PartitionLeadersMoving_DuringProduction_NothingLost()
    {
        ReliabilityLane.MockScenario(broker);
        await using var cluster = new MockKafkaCluster(3);
        await using var run = await ScenarioRun.StartAsync(new ScenarioSettings { Name = "every partition's leader moves every 500 ms for 6 s", Consumers = 2 }, ScenarioBroker.Mock(cluster), output);
        await run.WaitForProgressAsync(1_000);
        var partitions = 6;
        using var stopMoving = new CancellationTokenSource();
        Task? moving = null;
        await run.FaultAsync(
            "leaders moving",
            () =>
            {
                moving = Task.Run(async () =>
                {
                    // The leader moves are the scenario's load: a PeriodicTimer paces them.
                    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
                    var round = 0;
                    while (await timer.WaitForNextTickAsync(stopMoving.Token).ConfigureAwait(false))
                    {
                        round++;
                        for (var p = 0; p < partitions; p++)
                        {
                            cluster.SetPartitionLeader(run.Topic, p, ((p + round) % cluster.BrokerCount) + 1);
                        }
                    }
                });
                return Task.CompletedTask;
            },
            TimeSpan.FromSeconds(6),
            async () =>
            {
                await stopMoving.CancelAsync();
                await moving!.ContinueWith(_ => { }, TaskScheduler.Default);
            });

        (await run.FinishAsync()).AssertNothingLost();
    }

    [Fact]
    public async Task BrokerRoundTrip500Ms_ForSixSeconds_NothingLost()
    {
        ReliabilityLane.MockScenario(broker);
        await using var cluster = new MockKafkaCluster(3);
        await using var run = await ScenarioRun.StartAsync(new ScenarioSettings { Name = "500 ms RTT on every broker for 6 s", Consumers = 2 }, ScenarioBroker.Mock(cluster), output);
        await run.WaitForProgressAsync(1_000);
        await run.FaultAsync(
            "500 ms RTT",
            () => SetRtt(cluster, TimeSpan.FromMilliseconds(500)),
            TimeSpan.FromSeconds(6),
            () => SetRtt(cluster, TimeSpan.Zero));
        await run.WaitForProgressAsync(500);

        (await run.FinishAsync()).AssertNothingLost();
    }

    private static void SetRtt(MockKafkaCluster cluster, TimeSpan rtt)
    {
        for (var id = 1; id <= cluster.BrokerCount; id++)
        {
            cluster.SetBrokerRoundTripTime(id, rtt);
        }
    }
}
