using Confluent.Kafka;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>
/// Protocol errors injected into a private mock cluster's responses while EventProducer publishes and EventConsumer
/// consumes: the retriable errors brokers return during elections, overload and rebalances. Each error is returned once,
/// by whichever broker gets the next request of that type. The producer's and the fetcher's requests here, the group's
/// in <see cref="MockGroupRequestErrorTests"/> (two classes, so the two halves run in parallel).
/// </summary>
[Trait(ReliabilityCategory.Name, ReliabilityCategory.Value)]
public sealed class MockRequestErrorTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    public static TheoryData<string> Requests => ["Produce", "Fetch"];

    [Theory]
    [MemberData(nameof(Requests))]
    public Task RequestErrors_DuringPublishAndConsume_NothingLost(string requests) => RunAsync(broker, output, requests);

    /// <summary>The scenario: errors for <paramref name="requests"/> injected twice, the second time with a member joining.</summary>
    /// <param name="broker">The suite's broker (the scenario skips on the kit lane).</param>
    /// <param name="output">The test output.</param>
    /// <param name="requests">Produce, Fetch, OffsetCommit or JoinGroup/SyncGroup/Heartbeat/OffsetFetch.</param>
    /// <returns>A task.</returns>
    internal static async Task RunAsync(KafkaTestBroker broker, ITestOutputHelper output, string requests)
    {
        ReliabilityLane.MockScenario(broker);
        await using var cluster = new MockKafkaCluster(3);
        var settings = new ScenarioSettings { Name = $"{requests} errors injected", Consumers = 2 };
        if (requests == "Produce")
        {
            // The mock checks an idempotent producer's sequence numbers only for transactional producers. With several
            // requests in flight, a batch refused with an injected error followed by a later batch of the same
            // partition that succeeds makes librdkafka acknowledge the refused one implicitly (a real broker would
            // have refused the later one as out of order): on the mock, acknowledged and never stored. One request in
            // flight per connection keeps the scenario about the errors, not about the mock.
            settings = settings with { ProducerProperties = new Dictionary<string, string> { ["max.in.flight.requests.per.connection"] = "1" } };
        }

        await using var run = await ScenarioRun.StartAsync(settings, ScenarioBroker.Mock(cluster), output);
        await run.WaitForProgressAsync(1_000);

        // Twice: once while the group is settled, once with a member joining (so the group's requests are in flight).
        for (var round = 1; round <= 2; round++)
        {
            var errors = Errors(requests);
            await run.FaultAsync(
                $"{requests} errors, round {round}: {string.Join(", ", errors.Select(e => $"{e.Count}× {e.Api} {string.Join('/', e.Codes.Distinct())}"))}",
                () =>
                {
                    foreach (var (api, codes, _) in errors)
                    {
                        cluster.PushRequestErrors(api, codes);
                    }

                    if (round == 2)
                    {
                        run.AddConsumer();
                    }
                },
                TimeSpan.FromSeconds(3),
                async () =>
                {
                    if (round == 2 && errors.Any(e => e.Api == KafkaApiKey.OffsetFetch))
                    {
                        // The joining member reads its partitions' committed offsets only once the rebalance gave it
                        // some: keep the OffsetFetch errors until then, so that they are the ones it meets.
                        var joined = run.Consumers[^1];
                        await Wait.UntilAsync(() => joined.GetStatistics().AssignedPartitions > 0, TimeSpan.FromSeconds(60), "the joining member's first partitions");
                    }

                    foreach (var (api, _, _) in errors)
                    {
                        cluster.ClearRequestErrors(api);
                    }
                });
        }

        await run.WaitForProgressAsync(500);
        (await run.FinishAsync()).AssertNothingLost();
    }

    private static List<(KafkaApiKey Api, ErrorCode[] Codes, int Count)> Errors(string requests)
    {
        static (KafkaApiKey, ErrorCode[], int) Cycle(KafkaApiKey api, int count, params ErrorCode[] codes) =>
            (api, Enumerable.Range(0, count).Select(i => codes[i % codes.Length]).ToArray(), count);

        return requests switch
        {
            "Produce" => [Cycle(KafkaApiKey.Produce, 60, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicas, ErrorCode.LeaderNotAvailable)],
            "Fetch" => [Cycle(KafkaApiKey.Fetch, 30, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.UnknownTopicOrPart)],
            "OffsetCommit" => [Cycle(KafkaApiKey.OffsetCommit, 12, ErrorCode.RebalanceInProgress, ErrorCode.GroupLoadInProgress, ErrorCode.RequestTimedOut, ErrorCode.NotCoordinatorForGroup, ErrorCode.GroupCoordinatorNotAvailable)],
            _ =>
            [
                Cycle(KafkaApiKey.JoinGroup, 3, ErrorCode.GroupCoordinatorNotAvailable, ErrorCode.NotCoordinatorForGroup, ErrorCode.GroupLoadInProgress),
                Cycle(KafkaApiKey.SyncGroup, 2, ErrorCode.RebalanceInProgress, ErrorCode.GroupCoordinatorNotAvailable),
                Cycle(KafkaApiKey.Heartbeat, 6, ErrorCode.RebalanceInProgress, ErrorCode.GroupCoordinatorNotAvailable, ErrorCode.NotCoordinatorForGroup),
                Cycle(KafkaApiKey.OffsetFetch, 2, ErrorCode.NotCoordinatorForGroup, ErrorCode.GroupCoordinatorNotAvailable),
            ],
        };
    }
}
