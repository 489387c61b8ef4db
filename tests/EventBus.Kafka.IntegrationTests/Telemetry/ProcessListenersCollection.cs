namespace EventBus.Kafka.IntegrationTests.Telemetry;

/// <summary>
/// Tests that attach an ActivityListener or a MeterListener: both are process-wide, so while one is attached every
/// publish in the process starts a send span and carries a traceparent. They run alone, so that tests asserting what a
/// publish without a listener writes (no traceparent) do not see them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessListenersCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Process-wide listeners";
}
