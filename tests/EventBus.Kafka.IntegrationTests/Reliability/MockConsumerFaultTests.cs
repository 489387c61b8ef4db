using Confluent.Kafka;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>
/// Faults on the consumer's side, on a private mock cluster: a member crashing mid-batch, members joining and leaving
/// every few seconds, the dead-letter topic unavailable.
/// </summary>
[Trait(ReliabilityCategory.Name, ReliabilityCategory.Value)]
public sealed class MockConsumerFaultTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task ConsumerKilledMidBatch_AnotherTakesOver_NothingLost_DuplicatesWithinBound()
    {
        ReliabilityLane.MockScenario(broker);
        await using var cluster = new MockKafkaCluster(3);
        var settings = new ScenarioSettings
        {
            Name = "a consumer killed mid-batch, another takes over",
            RatePerSecond = 1_000,
            Configure = o => o.MaxConcurrency = 4,

            // The handler's own work (load): 2 ms per record, so the member always has a batch in flight.
            Work = static (_, ct) => Task.Delay(2, ct),
        };
        await using var run = await ScenarioRun.StartAsync(settings, ScenarioBroker.Mock(cluster), output);
        await run.WaitForProgressAsync(3_000);
        var victim = run.Consumers[0];
        await Wait.UntilAsync(() => victim.GetStatistics().InFlight >= 20, TimeSpan.FromSeconds(30), "the member to have a batch in flight");
        var inFlight = victim.GetStatistics().InFlight;
        await run.FaultAsync(
            "c1 killed mid-batch, c2 started",
            async () =>
            {
                await run.KillConsumerAsync("c1");
                run.AddConsumer();
            },
            TimeSpan.Zero,
            () => Task.CompletedTask);
        output.WriteLine($"  c1 had {inFlight} records in flight when killed");

        var result = await run.FinishAsync();
        result.AssertNothingLost();
        Assert.Equal(1, result.Kills);
    }

    [Fact]
    public async Task RebalanceStorm_MembersJoinAndLeaveEveryFewSeconds_NothingLost()
    {
        ReliabilityLane.MockScenario(broker);
        await using var cluster = new MockKafkaCluster(3);
        var settings = new ScenarioSettings
        {
            Name = "rebalance storm: a member joins or leaves every 2 s for 12 s",
            Partitions = 12,
            Consumers = 2,
            RatePerSecond = 1_000,
            Configure = o => o.MaxConcurrency = 4,
            Work = static (_, ct) => Task.Delay(1, ct),
        };
        await using var run = await ScenarioRun.StartAsync(settings, ScenarioBroker.Mock(cluster), output);
        await run.WaitForProgressAsync(2_000);
        using var calm = new CancellationTokenSource();
        Task? storm = null;
        var changes = 0;
        await run.FaultAsync(
            "rebalance storm",
            () =>
            {
                storm = Task.Run(async () =>
                {
                    // Members come and go on a PeriodicTimer: the storm's rhythm is its load. Joins while fewer than 4
                    // run, otherwise (and every third change) the oldest member leaves gracefully.
                    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
                    while (await timer.WaitForNextTickAsync(calm.Token).ConfigureAwait(false))
                    {
                        changes++;
                        if ((run.RunningConsumers < 4 && changes % 3 != 0) || run.RunningConsumers == 1)
                        {
                            run.AddConsumer();
                        }
                        else
                        {
                            await run.StopConsumerAsync().ConfigureAwait(false);
                        }
                    }
                });
                return Task.CompletedTask;
            },
            TimeSpan.FromSeconds(12),
            async () =>
            {
                await calm.CancelAsync();
                await storm!.ContinueWith(_ => { }, TaskScheduler.Default);
            });
        output.WriteLine($"  {changes} membership changes");

        (await run.FinishAsync()).AssertNothingLost();
    }

    [Fact]
    public async Task DeadLetterTopicUnavailable_ForFiveSeconds_PoisonMessagesWaitThenAreDeadLettered_NothingLost()
    {
        ReliabilityLane.MockScenario(broker);
        await using var cluster = new MockKafkaCluster(3);
        var settings = new ScenarioSettings
        {
            Name = "DLQ unavailable for 5 s (its leader down; 1 message in 97 is poison)",
            Consumers = 2,
            Poison = static i => i % 97 == 13,

            // The dead-letter producer gives up on a message after 2 s, so the consumer's DLQ retry loop is what waits.
            DeadLetterProducerProperties = new Dictionary<string, string> { ["message.timeout.ms"] = "2000" },

            // Broker 3 leads the DLQ and nothing else (the scenario's partitions and group live on 1 and 2), placed before
            // any client starts, so setting broker 3 down takes the DLQ away and only the DLQ. (A leaderless partition,
            // SetPartitionLeader(..., -1), crashed the process in librdkafka's mock here.)
            Prepare = (topic, group, deadLetterTopic) =>
            {
                cluster.SetPartitionLeader(deadLetterTopic!, 0, 3);
                cluster.SetGroupCoordinator(group, 1);
                for (var p = 0; p < 6; p++)
                {
                    cluster.SetPartitionLeader(topic, p, (p % 2) + 1);
                }
            },
        };
        await using var run = await ScenarioRun.StartAsync(settings, ScenarioBroker.Mock(cluster), output);
        await run.WaitForProgressAsync(1_000);
        await Wait.UntilAsync(() => run.Consumers.All(c => c.GetStatistics().AssignedPartitions > 0), TimeSpan.FromSeconds(60), "both members assigned (the group settled)");
        await Wait.UntilAsync(() => run.Consumers.Sum(c => c.GetStatistics().RecordsDeadLettered) >= 3, TimeSpan.FromSeconds(60), "the first messages dead-lettered");
        await run.FaultAsync("DLQ leader (broker 3) down 5 s", () => cluster.SetBrokerDown(3), TimeSpan.FromSeconds(5), () => cluster.SetBrokerUp(3));
        var failures = run.Consumers.Sum(c => c.GetStatistics().DeadLetterAttemptsFailed);
        output.WriteLine($"  dead-letter publishes that failed and were retried: {failures}");

        var result = await run.FinishAsync();
        result.AssertNothingLost();
        Assert.True(failures > 0, "the DLQ outage should have failed some dead-letter publishes");
    }
}
