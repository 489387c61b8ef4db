namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>Tests that stop a broker of the shared cluster run alone, after the parallel ones, so no other test sees the outage.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerRestartCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Broker restart";
}
