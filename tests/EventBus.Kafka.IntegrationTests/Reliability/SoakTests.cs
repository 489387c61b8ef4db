using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>
/// The soak mode (<c>EVENTBUS_RELIABILITY_SOAK=10m</c>): one long scenario under steady load that cycles through the
/// scenarios' faults until the time is up, then drains and counts as every scenario does. Prints one line per fault and
/// a table per kind of fault, then the RELIABILITY line. Skips without the variable.
/// </summary>
[Trait(ReliabilityCategory.Name, ReliabilityCategory.Value)]
[Trait(ReliabilityCategory.Name, ReliabilityCategory.Soak)]
public sealed partial class MockSoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task MockSoak_FaultsInTurnUnderLoad_NothingLost()
    {
        var duration = SoakMode.Require("The mock cluster soak");
        await using var cluster = new MockKafkaCluster(3);
        var settings = new ScenarioSettings
        {
            Name = $"soak {duration.TotalMinutes:0.#} min: broker down, leaders moving, request errors, RTT, crash, member churn, DLQ outage",
            Partitions = 12,
            Publishers = 8,
            Consumers = 3,
            RatePerSecond = 400,
            Configure = static o =>
            {
                o.MaxConcurrency = 4;
                o.Ordering = OrderingMode.Key;
            },
            Poison = static i => i % 997 == 13,
            DeadLetterProducerProperties = new Dictionary<string, string> { ["message.timeout.ms"] = "2000" },

            // As in the Produce-errors scenario (MockRequestErrorTests): the mock checks an idempotent producer's
            // sequence numbers only for transactional producers, so with several requests in flight a batch refused
            // with an injected error is acknowledged implicitly by a later one and never stored (acknowledged at offset
            // -1001). One request in flight per connection keeps the soak about the faults, not about the mock.
            ProducerProperties = new Dictionary<string, string> { ["max.in.flight.requests.per.connection"] = "1" },
            Capacity = (int)((duration.TotalSeconds + 120) * 400 * 1.3),
        };
        await using var run = await ScenarioRun.StartAsync(settings, ScenarioBroker.Mock(cluster), output);
        await run.WaitForProgressAsync(1_000);
        var before = ProcessMemory.Take();
        var faults = MockFaults(cluster, run);
        for (var cycle = 0; run.Elapsed < duration; cycle++)
        {
            var (what, inject, hold, heal) = faults[cycle % faults.Count];
            await run.FaultAsync(what, inject, hold, heal);
            await run.WaitForProgressAsync(200);
        }

        var after = ProcessMemory.Take();
        var result = await run.FinishAsync();
        Report(output, run, result, before, after);
        result.AssertNothingLost();
    }

    internal static void Report(ITestOutputHelper output, ScenarioRun run, ScenarioResult result, ProcessMemory before, ProcessMemory after)
    {
        var table = new List<string> { "| fault | times | recovered, mean s | max s |", "|---|---:|---:|---:|" };
        table.AddRange(run.Faults.GroupBy(f => Digits().Replace(f.What, "N"))
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"| {g.Key} | {g.Count()} | {g.Average(f => f.Recovered.TotalSeconds):0.0} | {g.Max(f => f.Recovered.TotalSeconds):0.0} |")));
        var memory = $"SOAK {result.Broker} memory: before {before}; after {after} (with every log line kept for the timeline)";
        foreach (var line in table.Append(memory))
        {
            output.WriteLine(line);
            Console.Error.WriteLine(line);
        }
    }

    private static List<(string, Func<Task>, TimeSpan, Func<Task>)> MockFaults(MockKafkaCluster cluster, ScenarioRun run)
    {
        static Func<Task> Do(Action action) => () =>
        {
            action();
            return Task.CompletedTask;
        };

        var none = Do(() => { });
        var faults = new List<(string, Func<Task>, TimeSpan, Func<Task>)>();
        for (var id = 1; id <= cluster.BrokerCount; id++)
        {
            var broker = id;
            faults.Add(($"broker {broker} down 4 s", Do(() => cluster.SetBrokerDown(broker)), TimeSpan.FromSeconds(4), Do(() => cluster.SetBrokerUp(broker))));
        }

        var round = 0;
        faults.Add(("leaders of every partition moved", Do(() =>
        {
            round++;
            for (var p = 0; p < 12; p++)
            {
                cluster.SetPartitionLeader(run.Topic, p, ((p + round) % cluster.BrokerCount) + 1);
            }
        }), TimeSpan.FromSeconds(2), none));
        faults.Add(("Produce errors", Do(() => cluster.PushRequestErrors(KafkaApiKey.Produce, Repeat(40, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicas))),
            TimeSpan.FromSeconds(3), Do(() => cluster.ClearRequestErrors(KafkaApiKey.Produce))));
        faults.Add(("Fetch errors", Do(() => cluster.PushRequestErrors(KafkaApiKey.Fetch, Repeat(20, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut))),
            TimeSpan.FromSeconds(3), Do(() => cluster.ClearRequestErrors(KafkaApiKey.Fetch))));
        faults.Add(("OffsetCommit errors", Do(() => cluster.PushRequestErrors(KafkaApiKey.OffsetCommit, Repeat(8, ErrorCode.RebalanceInProgress, ErrorCode.RequestTimedOut, ErrorCode.NotCoordinatorForGroup))),
            TimeSpan.FromSeconds(3), Do(() => cluster.ClearRequestErrors(KafkaApiKey.OffsetCommit))));
        faults.Add(("group errors and a member joining", Do(() =>
        {
            cluster.PushRequestErrors(KafkaApiKey.JoinGroup, ErrorCode.GroupCoordinatorNotAvailable, ErrorCode.NotCoordinatorForGroup);
            cluster.PushRequestErrors(KafkaApiKey.SyncGroup, ErrorCode.RebalanceInProgress);
            cluster.PushRequestErrors(KafkaApiKey.Heartbeat, ErrorCode.RebalanceInProgress, ErrorCode.GroupCoordinatorNotAvailable);
            cluster.PushRequestErrors(KafkaApiKey.OffsetFetch, ErrorCode.NotCoordinatorForGroup);
            run.AddConsumer();
        }), TimeSpan.FromSeconds(4), async () =>
        {
            // The OffsetFetch error is for the joining member's first partitions (see MockRequestErrorTests).
            var joined = run.Consumers[^1];
            await Wait.UntilAsync(() => joined.GetStatistics().AssignedPartitions > 0, TimeSpan.FromSeconds(60), "the joining member's first partitions");
            cluster.ClearRequestErrors(KafkaApiKey.JoinGroup);
            cluster.ClearRequestErrors(KafkaApiKey.SyncGroup);
            cluster.ClearRequestErrors(KafkaApiKey.Heartbeat);
            cluster.ClearRequestErrors(KafkaApiKey.OffsetFetch);
            await run.StopConsumerAsync(); // back to three members: the oldest leaves gracefully
        }));
        faults.Add(("500 ms RTT 5 s", Do(() => Rtt(cluster, 500)), TimeSpan.FromSeconds(5), Do(() => Rtt(cluster, 0))));
        faults.Add(("a member killed, a new one started", async () =>
        {
            await run.KillConsumerAsync();
            run.AddConsumer();
        }, TimeSpan.Zero, none));
        // The DLQ's metadata answers LEADER_NOT_AVAILABLE for 5 s, so dead-letter publishes fail and are retried. (Not a
        // leaderless partition: SetPartitionLeader(..., -1) crashed the process with SIGSEGV in librdkafka's mock.)
        faults.Add(("DLQ topic unavailable 5 s", Do(() => cluster.SetTopicError(run.DeadLetterTopic!, ErrorCode.LeaderNotAvailable)),
            TimeSpan.FromSeconds(5), Do(() => cluster.SetTopicError(run.DeadLetterTopic!, ErrorCode.NoError))));
        return faults;
    }

    private static ErrorCode[] Repeat(int count, params ErrorCode[] codes) => [.. Enumerable.Range(0, count).Select(i => codes[i % codes.Length])];

    private static void Rtt(MockKafkaCluster cluster, int ms)
    {
        for (var id = 1; id <= cluster.BrokerCount; id++)
        {
            cluster.SetBrokerRoundTripTime(id, TimeSpan.FromMilliseconds(ms));
        }
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}

/// <summary>The soak on the kit's real brokers: stopped, killed, the coordinator killed, all down; alone in the broker-restart collection.</summary>
[Collection(BrokerRestartCollection.Name)]
[Trait(ReliabilityCategory.Name, ReliabilityCategory.Value)]
[Trait(ReliabilityCategory.Name, ReliabilityCategory.Soak)]
public sealed class KitSoakTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task KitSoak_BrokerFaultsInTurnUnderLoad_NothingLost()
    {
        var duration = SoakMode.Require("The Kafka kit soak");
        broker.Require(BrokerCapabilities.BrokerRestart, "The Kafka kit soak");
        broker.RequireBrokers(3, "The Kafka kit soak (RF 3, min ISR 2, one broker down at a time)");
        var settings = new ScenarioSettings
        {
            Name = $"soak {duration.TotalMinutes:0.#} min: broker stopped, killed, coordinator killed, all down 10 s, a member killed",
            Publishers = 8,
            Consumers = 3,
            RatePerSecond = 300,
            Configure = static o => o.MaxConcurrency = 4,
            Capacity = (int)((duration.TotalSeconds + 300) * 300 * 1.3),
        };
        await using var run = await ScenarioRun.StartAsync(settings, ScenarioBroker.Shared(broker, minInsyncReplicas: 2), output);
        await using var outage = new KitOutage(broker.Kit!, broker.BootstrapServers); // disposed first: brokers back before the clients stop
        await run.WaitForProgressAsync(1_000);
        var before = ProcessMemory.Take();
        var ids = broker.Kit!.BrokerIds;
        string[] topics = [run.Topic, "__consumer_offsets"];
        for (var cycle = 0; run.Elapsed < duration; cycle++)
        {
            var victim = ids[cycle % ids.Count];
            switch (cycle % 5)
            {
                case 0:
                    await run.FaultAsync($"broker {victim} stopped 10 s", () => outage.StopAsync(victim), TimeSpan.FromSeconds(10), () => outage.StartAsync([victim], topics));
                    break;
                case 1:
                    await run.FaultAsync($"broker {victim} killed", () => outage.KillUntilGoneAsync(victim), TimeSpan.Zero, () => outage.StartAsync([victim], topics));
                    break;
                case 2:
                    var coordinator = await outage.CoordinatorOfAsync(run.Group);
                    await run.FaultAsync($"coordinator broker {coordinator} killed", () => outage.KillUntilGoneAsync(coordinator), TimeSpan.Zero, () => outage.StartAsync([coordinator], topics));
                    break;
                case 3:
                    await run.FaultAsync("a member killed, a new one started", async () =>
                    {
                        await run.KillConsumerAsync();
                        run.AddConsumer();
                    }, TimeSpan.Zero, () => Task.CompletedTask);
                    break;
                default:
                    await run.FaultAsync("all brokers down 10 s", async () =>
                    {
                        foreach (var id in ids)
                        {
                            await outage.StopAsync(id);
                        }
                    }, TimeSpan.FromSeconds(10), () => outage.StartAsync(ids.ToList(), topics));
                    break;
            }

            await run.WaitForProgressAsync(200);
        }

        var after = ProcessMemory.Take();
        var result = await run.FinishAsync();
        MockSoakTests.Report(output, run, result, before, after);
        result.AssertNothingLost();
    }
}
