using EventBus.Kafka.IntegrationTests.Infrastructure;

namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>
/// Real broker processes of the Kafka kit stopped, killed (SIGKILL) and started again while EventProducer publishes and
/// EventConsumer consumes, on topics with RF 3 and min.insync.replicas 2: real replication, leader election and group
/// coordination. They run alone (the broker-restart collection), after the parallel tests, and skip elsewhere.
/// </summary>
/// <remarks>
/// Timings of the kit (see its README): a stopped broker hands its leadership over first (1–5 s); a killed one is noticed
/// only when its ZooKeeper session expires (18–20 s), and until then acks=all produces to its partitions stall. A killed
/// broker stays down until the cluster has dropped it and runs on two (<see cref="KitOutage.KillUntilGoneAsync"/>), then
/// starts again.
/// </remarks>
[Collection(BrokerRestartCollection.Name)]
[Trait(ReliabilityCategory.Name, ReliabilityCategory.Value)]
public sealed class KitBrokerFaultTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task BrokerStoppedAndRestarted_DuringPublishAndConsume_NothingLost()
    {
        await using var scenario = await StartAsync("a broker stopped (SIGTERM) and restarted");
        var (run, outage) = scenario;
        var victim = run.Broker.Leaders(run.Topic)[0];
        await run.FaultAsync($"broker {victim} stopped 5 s", () => outage.StopAsync(victim), TimeSpan.FromSeconds(5), () => outage.StartAsync([victim], [run.Topic]));
        await run.WaitForProgressAsync(500);
        (await run.FinishAsync()).AssertNothingLost();
    }

    [Fact]
    public async Task BrokerKilledAndRestarted_DuringPublishAndConsume_NothingLost()
    {
        await using var scenario = await StartAsync("a broker killed (SIGKILL) and restarted");
        var (run, outage) = scenario;
        var victim = run.Broker.Leaders(run.Topic)[1];
        await run.FaultAsync($"broker {victim} killed", () => outage.KillUntilGoneAsync(victim), TimeSpan.Zero, () => outage.StartAsync([victim], [run.Topic]));
        await run.WaitForProgressAsync(500);
        (await run.FinishAsync()).AssertNothingLost();
    }

    [Fact]
    public async Task GroupCoordinatorKilled_DuringPublishAndConsume_NothingLost()
    {
        await using var scenario = await StartAsync("the group coordinator's broker killed and restarted");
        var (run, outage) = scenario;
        var coordinator = await outage.CoordinatorOfAsync(run.Group);
        await run.FaultAsync($"coordinator broker {coordinator} killed", () => outage.KillUntilGoneAsync(coordinator), TimeSpan.Zero, () => outage.StartAsync([coordinator], [run.Topic, "__consumer_offsets"]));
        await run.WaitForProgressAsync(500);
        (await run.FinishAsync()).AssertNothingLost();
    }

    [Fact]
    public async Task AllBrokersDownTenSeconds_ThenBack_NothingLost()
    {
        await using var scenario = await StartAsync("all brokers stopped for 10 s, then started");
        var (run, outage) = scenario;
        var ids = broker.Kit!.BrokerIds;
        await run.FaultAsync(
            "all brokers down 10 s",
            async () =>
            {
                foreach (var id in ids)
                {
                    await outage.StopAsync(id);
                }
            },
            TimeSpan.FromSeconds(10),
            () => outage.StartAsync(ids.ToList(), [run.Topic, "__consumer_offsets"]));
        await run.WaitForProgressAsync(500);
        (await run.FinishAsync()).AssertNothingLost();
    }

    private async Task<KitScenario> StartAsync(string name)
    {
        broker.Require(BrokerCapabilities.BrokerRestart, $"The reliability scenario '{name}'");
        broker.RequireBrokers(3, "Keeping every partition writable (RF 3, min ISR 2) with one broker down");
        var outage = new KitOutage(broker.Kit!, broker.BootstrapServers);
        var run = await ScenarioRun.StartAsync(
            new ScenarioSettings { Name = name, Consumers = 2, RatePerSecond = 300 },
            ScenarioBroker.Shared(broker, minInsyncReplicas: 2),
            output);
        await run.WaitForProgressAsync(1_000);
        return new KitScenario(run, outage);
    }

    /// <summary>A scenario and its outage: disposing starts every broker still down, then stops the clients.</summary>
    private sealed record KitScenario(ScenarioRun Run, KitOutage Outage) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Brokers first: a failed scenario must not leave the shared cluster short, nor its clients stop against it.
            try
            {
                await Outage.DisposeAsync();
            }
            finally
            {
                await Run.DisposeAsync();
            }
        }
    }
}
