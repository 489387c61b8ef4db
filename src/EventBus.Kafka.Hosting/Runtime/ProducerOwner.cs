using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventBus.Kafka.Hosting.Runtime;

/// <summary>
/// Creates the service's one <see cref="EventProducer"/> on first use (never before the options were validated) and
/// says whether it exists, so stopping closes only a producer that was created.
/// </summary>
internal sealed class ProducerOwner
{
    private readonly Lazy<EventProducer> _producer;

    /// <summary>Initializes a new instance of the <see cref="ProducerOwner"/> class.</summary>
    /// <param name="options">The options.</param>
    /// <param name="loggerFactory">The logger factory, if any.</param>
    /// <param name="serializer">The serializer registered in the container, if any.</param>
    public ProducerOwner(IOptions<EventBusOptions> options, ILoggerFactory? loggerFactory, IEventSerializer? serializer) =>
        _producer = new Lazy<EventProducer>(
            () => new EventProducer(options.Value, loggerFactory?.CreateLogger<EventProducer>(), serializer),
            LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Gets the producer, creating it on first use.</summary>
    public EventProducer Producer => _producer.Value;

    /// <summary>Gets a value indicating whether the producer was created.</summary>
    public bool IsCreated => _producer.IsValueCreated;
}
