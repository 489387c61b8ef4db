using EventBus.Kafka.IntegrationTests.Infrastructure;

namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>
/// The consumer group's requests failing on a private mock cluster (see <see cref="MockRequestErrorTests"/>): OffsetCommit
/// (REBALANCE_IN_PROGRESS, COORDINATOR_LOAD_IN_PROGRESS, REQUEST_TIMED_OUT, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE), and
/// JoinGroup, SyncGroup, Heartbeat and OffsetFetch together (a refused OffsetFetch leaves the partitions it was for
/// unstarted until the consumer assigns them again: librdkafka #5586, found by the Kafka kit soak).
/// </summary>
[Trait(ReliabilityCategory.Name, ReliabilityCategory.Value)]
public sealed class MockGroupRequestErrorTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    public static TheoryData<string> Requests => ["OffsetCommit", "JoinGroup/SyncGroup/Heartbeat/OffsetFetch"];

    [Theory]
    [MemberData(nameof(Requests))]
    public Task GroupRequestErrors_DuringPublishAndConsume_NothingLost(string requests) => MockRequestErrorTests.RunAsync(broker, output, requests);
}
