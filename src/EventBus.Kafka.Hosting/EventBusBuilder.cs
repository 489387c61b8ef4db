using EventBus.Kafka.Configuration;
using EventBus.Kafka.Hosting.Consumers;
using EventBus.Kafka.Hosting.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventBus.Kafka.Hosting;

/// <summary>
/// Adds consumers and declares published topics after
/// <see cref="EventBusServiceCollectionExtensions.AddEventBus(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration?, Action{EventBusOptions}?)"/>.
/// Everything declared here is checked at start-up, before anything connects.
/// </summary>
public sealed class EventBusBuilder
{
    private readonly EventBusRegistrations _registrations;

    internal EventBusBuilder(IServiceCollection services, EventBusRegistrations registrations)
    {
        Services = services;
        _registrations = registrations;
    }

    /// <summary>Gets the service collection EventBus was added to.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Declares topic keys the service publishes to, so that start-up fails, naming <c>KAFKA_TOPIC_{KEY}</c>, when one
    /// is not configured (instead of the first publish failing later).
    /// </summary>
    /// <param name="topicKeys">The topic keys, e.g. <c>ORDER_CONFIRMED</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A key is empty.</exception>
    public EventBusBuilder AddPublishedTopics(params string[] topicKeys)
    {
        ArgumentNullException.ThrowIfNull(topicKeys);
        foreach (var key in topicKeys)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(key, nameof(topicKeys));
            _registrations.PublishedTopicKeys.Add(key);
        }

        return this;
    }

    /// <summary>
    /// Adds a consumer, run as a hosted service: it starts polling once the topics are provisioned, stops (drains its
    /// in-flight records and commits) when the host stops, and stops the application with a non-zero exit code if it
    /// faults. Each call adds one consumer in the group <c>KAFKA_CONSUMER_GROUP</c>, which then becomes required.
    /// </summary>
    /// <param name="configure">Adds the handlers (at least one) and changes the processing options.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">No handler was added, or one topic got two handlers.</exception>
    /// <example>
    /// <code>
    /// services.AddEventBus(builder.Configuration)
    ///     .AddConsumer(c => c.Configure(o => o.MaxConcurrency = 4)
    ///         .AddHandler&lt;OrderPlaced, OrderPlacedHandler&gt;("ORDERS"));
    /// </code>
    /// </example>
    public EventBusBuilder AddConsumer(Action<HostedConsumerBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var registration = new ConsumerRegistration(_registrations.Consumers.Count + 1);
        configure(new HostedConsumerBuilder(Services, registration));
        if (registration.Routes.Count == 0)
        {
            throw new ArgumentException("Add at least one handler to the consumer (AddHandler, AddTopicHandler or AddBatchHandler).", nameof(configure));
        }

        _registrations.Consumers.Add(registration);

        // One hosted service per consumer: a factory registration, since AddHostedService would keep only one of a type.
        Services.AddSingleton<IHostedService>(sp => new ConsumerHostedService(
            registration,
            sp,
            sp.GetRequiredService<IOptions<EventBusOptions>>(),
            sp.GetRequiredService<TopicProvisioningGate>(),
            sp.GetRequiredService<IHostApplicationLifetime>(),
            sp.GetService<ILoggerFactory>()));
        return this;
    }
}
