using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>The shape of one reliability scenario: the load, the consumers, and what their handlers do.</summary>
internal sealed record ScenarioSettings
{
    /// <summary>Gets the scenario's name, as printed.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the topic's partitions.</summary>
    public int Partitions { get; init; } = 6;

    /// <summary>Gets how many consumers (group members) start with the scenario.</summary>
    public int Consumers { get; init; } = 1;

    /// <summary>Gets how many publishing loops share the one EventProducer.</summary>
    public int Publishers { get; init; } = 1;

    /// <summary>Gets the publishing rate, all publishers together, in messages per second.</summary>
    public int RatePerSecond { get; init; } = 500;

    /// <summary>Gets the most publishes awaiting their acknowledgement at once (the publishers wait for room beyond it).</summary>
    public int PublishWindow { get; init; } = 5_000;

    /// <summary>Gets the most messages the scenario can publish (its bookkeeping is allocated up front).</summary>
    public int Capacity { get; init; } = 200_000;

    /// <summary>Gets the key of message <c>i</c> (the partition key): by default one of 100 keys.</summary>
    public Func<int, string> Key { get; init; } = static i => "key-" + (i % 100);

    /// <summary>
    /// Gets more <c>KAFKA_*</c> variables for every client (the producer's and the consumers'). The group's timing comes
    /// before them (see <see cref="ScenarioRun.GroupTiming"/>), so a scenario can override it here.
    /// </summary>
    public (string Name, string Value)[] Variables { get; init; } = [];

    /// <summary>Gets more <c>KAFKA_*</c> variables for the consumers only (their dead-letter producer included).</summary>
    public (string Name, string Value)[] ConsumerVariables { get; init; } = [];

    /// <summary>Gets librdkafka properties for the scenario's producer (the one the publishers share).</summary>
    public IReadOnlyDictionary<string, string> ProducerProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets librdkafka properties for the consumers (KAFKA_CONSUMER_* has no variable for them).</summary>
    public IReadOnlyDictionary<string, string> ConsumerProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the librdkafka properties for the consumers' dead-letter producer (e.g. a short message.timeout.ms).</summary>
    public IReadOnlyDictionary<string, string> DeadLetterProducerProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets what to do once the topics exist and before any client starts (topic, group, DLQ topic): e.g. place leaders and the coordinator.</summary>
    public Action<string, string, string?>? Prepare { get; init; }

    /// <summary>Gets the processing options of every consumer.</summary>
    public Action<EventConsumerOptions>? Configure { get; init; }

    /// <summary>Gets the handler's own work for message <c>i</c> (load: e.g. a few milliseconds), before it counts as handled.</summary>
    public Func<int, CancellationToken, Task>? Work { get; init; }

    /// <summary>Gets which messages are poison: their handler throws a non-retriable error, so they go to the DLQ.</summary>
    public Func<int, bool>? Poison { get; init; }

    /// <summary>Gets a value indicating whether a dead-letter topic is created (always, when <see cref="Poison"/> is set).</summary>
    public bool WithDeadLetterTopic { get; init; }

    /// <summary>Gets a value indicating whether the clients' log lines are kept for the timeline (off for the memory figures).</summary>
    public bool CaptureLogs { get; init; } = true;

    /// <summary>Gets the longest a scenario's recovery and final drain may take before it fails, saying what is stuck.</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(150);
}
