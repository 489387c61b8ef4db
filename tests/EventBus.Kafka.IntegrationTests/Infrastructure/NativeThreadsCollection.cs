namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>Tests that count the process's native threads run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeThreadsCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Native threads";
}
