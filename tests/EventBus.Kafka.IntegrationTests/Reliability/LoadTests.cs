using System.Globalization;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>The memory figures need the process to themselves: they run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityLoadCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Reliability load";
}

/// <summary>
/// Sustained load: 8 publishing loops on one EventProducer and 3 EventConsumers in key-ordering mode, every message with
/// a key never seen before. Nothing is lost, the managed heap and the process's memory stay flat, and what a consumer
/// holds does not grow with the keys it has seen (lanes are per partition and key hash, not per key). On a private mock
/// cluster (whose log, in this process, is part of the resident memory) for 30 s; in soak mode on the suite's broker,
/// the real brokers of the kit lane included, for the soak's length.
/// </summary>
[Collection(ReliabilityLoadCollection.Name)]
[Trait(ReliabilityCategory.Name, ReliabilityCategory.Value)]
public sealed class LoadTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    private const int Rate = 2_000;
    private const int MaxConcurrency = 4;

    /// <summary>The managed heap may grow this much over the measured period: 67 bytes per message at the CI length (30 s), less the longer it runs.</summary>
    private const long HeapGrowthLimit = 4_000_000;

    /// <summary>The resident set may grow this much: the mock cluster's log of the period (about 60 B per message) and allocator noise.</summary>
    private const long ResidentGrowthLimit = 48_000_000;

    [Fact]
    public async Task EightPublishersThreeConsumers_Sustained_NothingLost_MemoryFlat_PerKeyStateBounded()
    {
        if (broker.Kind == TestBrokerKind.Kit && SoakMode.Duration is null)
        {
            Assert.Skip($"The load scenario runs once per .ci/run, on the default lane's mock cluster; on the real brokers it runs in soak mode ({SoakMode.Variable}=10m).");
        }

        var measured = SoakMode.Duration ?? TimeSpan.FromSeconds(30);
        await using var cluster = broker.Kind == TestBrokerKind.Kit ? null : new MockKafkaCluster(3);
        var where = cluster is null ? ScenarioBroker.Shared(broker, minInsyncReplicas: 2) : ScenarioBroker.Mock(cluster);
        var settings = new ScenarioSettings
        {
            Name = $"load: 8 publishers, 3 consumers (key ordering, MaxConcurrency {MaxConcurrency}), {Rate:N0} msg/s, a new key per message, {measured.TotalSeconds:0} s measured",
            Publishers = 8,
            Consumers = 3,
            RatePerSecond = Rate,
            Partitions = 6,
            Key = static i => "k-" + i.ToString(CultureInfo.InvariantCulture),
            Configure = static o =>
            {
                o.Ordering = OrderingMode.Key;
                o.MaxConcurrency = MaxConcurrency;
            },
            Capacity = (int)((measured.TotalSeconds + 60) * Rate * 1.2),
        };
        await using var run = await ScenarioRun.StartAsync(settings, where, output);

        // Warm-up: every member assigned, JIT, pools and librdkafka's buffers at their working size.
        await run.WaitForProgressAsync(10_000);
        await ScenarioRun.HoldAsync(TimeSpan.FromSeconds(5));
        var before = ProcessMemory.Take();
        var handledBefore = run.DistinctHandled;
        var censusBefore = run.Consumers.Select(ConsumerStateCensus.Of).ToList();

        await ScenarioRun.HoldAsync(measured); // the sustained load: the publishers keep their rate meanwhile
        var censusAfter = run.Consumers.Select(ConsumerStateCensus.Of).ToList();
        var after = ProcessMemory.Take();
        var keysSeen = run.DistinctHandled - handledBefore;

        var result = await run.FinishAsync();
        var memory = string.Create(CultureInfo.InvariantCulture,
            $"LOAD {where.Kind}: {keysSeen:N0} messages (each a new key) handled in {measured.TotalSeconds:0} s between the figures; before: {before}; after: {after}; " +
            $"heap {(after.HeapBytes - before.HeapBytes) / 1e6:+0.0;-0.0;0.0} MB, RSS {(after.ResidentBytes - before.ResidentBytes) / 1e6:+0.0;-0.0;0.0} MB");
        output.WriteLine(memory);
        Console.Error.WriteLine(memory);
        for (var i = 0; i < censusAfter.Count; i++)
        {
            output.WriteLine($"  consumer {i + 1}: before {censusBefore[i]}; after {censusAfter[i]}");
        }

        result.AssertNothingLost();
        Assert.True(keysSeen >= measured.TotalSeconds * Rate / 4, $"the load did not run: {keysSeen} messages in {measured.TotalSeconds} s");
        foreach (var census in censusAfter)
        {
            // Lanes: one per key hash of each partition, whatever the number of keys.
            Assert.Equal(census.Partitions * MaxConcurrency, census.Lanes);

            // Nothing inside a consumer holds an entry per key: its largest collection stays within the in-flight bound.
            Assert.True(census.LargestCollection <= 2 * 500 + 256, $"a consumer holds {census.LargestCollection} entries at {census.LargestCollectionAt} after {keysSeen} distinct keys");
        }

        Assert.True(after.HeapBytes - before.HeapBytes <= HeapGrowthLimit, $"the managed heap grew {(after.HeapBytes - before.HeapBytes) / 1e6:0.0} MB under steady load. {memory}");
        Assert.True(after.ResidentBytes - before.ResidentBytes <= ResidentGrowthLimit, $"the resident memory grew {(after.ResidentBytes - before.ResidentBytes) / 1e6:0.0} MB under steady load. {memory}");
    }
}
