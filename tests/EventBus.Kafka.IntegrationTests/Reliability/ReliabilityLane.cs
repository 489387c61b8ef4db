using EventBus.Kafka.IntegrationTests.Infrastructure;

namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>
/// Where the mock cluster's scenarios run. Each builds a private <see cref="Testing.MockKafkaCluster"/>, whatever the
/// suite's broker, so on the kit lane of <c>.ci/run</c> (which runs right after the default lane, in the same run) they
/// would only repeat themselves: they skip there, saying so, and the kit lane's time goes to the real brokers'
/// scenarios. <c>EVENTBUS_RELIABILITY_MOCK_ON_KIT=1</c> runs them on the kit lane too.
/// </summary>
internal static class ReliabilityLane
{
    /// <summary>The variable that runs the mock scenarios on the kit lane as well.</summary>
    public const string MockOnKitVariable = "EVENTBUS_RELIABILITY_MOCK_ON_KIT";

    /// <summary>Skips a mock-cluster scenario on the kit lane (unless <see cref="MockOnKitVariable"/> is 1).</summary>
    /// <param name="broker">The suite's broker.</param>
    public static void MockScenario(KafkaTestBroker broker)
    {
        if (broker.Kind == TestBrokerKind.Kit && Environment.GetEnvironmentVariable(MockOnKitVariable) != "1")
        {
            Assert.Skip($"A mock-cluster scenario (its own MockKafkaCluster): it runs on the default lane; the kit lane runs the real brokers' scenarios ({MockOnKitVariable}=1 runs it here too).");
        }
    }
}
