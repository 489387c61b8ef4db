using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Topics;

namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>What a health check looks at: the service's producer, its consumers and the last topic provisioning report.</summary>
/// <param name="Producer">The producer, or <see langword="null"/> when none was created (readiness then asks the cluster itself).</param>
/// <param name="Consumers">The consumers the service runs (started or not); empty for a producer-only service.</param>
/// <param name="Topics">The report of the last provisioning or verification run (<see cref="TopicProvisioner.ProvisionAsync"/>), or <see langword="null"/> when none ran.</param>
public sealed record EventBusHealthSources(EventProducer? Producer, IReadOnlyList<EventConsumer> Consumers, TopicProvisioningReport? Topics = null);
