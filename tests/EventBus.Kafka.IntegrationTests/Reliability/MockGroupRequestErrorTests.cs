using EventBus.Kafka.IntegrationTests.Infrastructure;

namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>
/// The consumer group's requests failing on a private mock cluster (see <see cref="MockRequestErrorTests"/>): OffsetCommit
/// (REBALANCE_IN_PROGRESS, COORDINATOR_LOAD_IN_PROGRESS, REQUEST_TIMED_OUT, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE), and
/// JoinGroup, SyncGroup and Heartbeat together.
/// </summary>
[Trait(ReliabilityCategory.Name, ReliabilityCategory.Value)]
public sealed class MockGroupRequestErrorTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    public static TheoryData<string> Requests => ["OffsetCommit", "JoinGroup/SyncGroup/Heartbeat"];

    [Theory]
    [MemberData(nameof(Requests))]
    public Task GroupRequestErrors_DuringPublishAndConsume_NothingLost(string requests) => MockRequestErrorTests.RunAsync(broker, output, requests);
}
