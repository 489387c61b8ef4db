using EventBus.Kafka.Configuration;
using EventBus.Kafka.Hosting;
using EventBus.Kafka.Hosting.Configuration;
using EventBus.Kafka.Hosting.Consumers;
using EventBus.Kafka.Hosting.Runtime;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds EventBus (Kafka) to an <see cref="IServiceCollection"/>: options, producer, hosted consumers.</summary>
public static class EventBusServiceCollectionExtensions
{
    /// <summary>
    /// Adds EventBus: <see cref="EventBusOptions"/> bound from configuration and validated at start-up,
    /// <see cref="IEventProducer"/> (<see cref="EventProducer"/>) as a singleton closed when the host stops, and topic
    /// provisioning before any consumer starts. Add consumers on the returned builder.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">
    /// The application's configuration root (<c>builder.Configuration</c>). The options are laid in this order, each
    /// over the one before: <paramref name="configure"/>, the <c>EventBus</c> section (<c>EventBus:Producer:LingerMs</c>,
    /// or <c>EventBus__Producer__LingerMs</c> as an environment variable), then the <c>KAFKA_*</c> environment variables
    /// (<c>KAFKA_BOOTSTRAP_SERVERS</c>, <c>SERVICE_NAME</c>, ...), which win. The variables are read from the
    /// configuration's top-level keys, where Host.CreateApplicationBuilder and WebApplication.CreateBuilder put the
    /// environment. <see langword="null"/>: the <see cref="IConfiguration"/> registered in the container, or, when
    /// there is none, the process environment alone.
    /// </param>
    /// <param name="configure">Sets options in code first (a token provider, librdkafka properties); configuration and variables override it.</param>
    /// <returns>The builder, to add consumers and declare published topics.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">EventBus was already added to <paramref name="services"/>.</exception>
    /// <remarks>
    /// <para>Validation runs when the host starts, before any hosted service starts and before any client connects. It
    /// knows what was registered: <c>KAFKA_CONSUMER_GROUP</c> is required once a consumer is added, and every topic key
    /// a handler, a consumer's dead-letter topic or <see cref="EventBusBuilder.AddPublishedTopics"/> names must be set.
    /// A failure lists every problem in one <see cref="OptionsValidationException"/>, each naming the variable to set.</para>
    /// <para>An <see cref="IEventSerializer"/> registered in the container is used by the producer and the consumers.</para>
    /// </remarks>
    /// <example>
    /// <code>
    /// var builder = Host.CreateApplicationBuilder(args);
    /// builder.Services.AddEventBus(builder.Configuration)
    ///     .AddConsumer(c => c.AddHandler&lt;OrderPlaced, OrderPlacedHandler&gt;("ORDERS"));
    /// await builder.Build().RunAsync();
    /// </code>
    /// </example>
    public static EventBusBuilder AddEventBus(this IServiceCollection services, IConfiguration? configuration = null, Action<EventBusOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(EventBusRegistrations)))
        {
            throw new InvalidOperationException("AddEventBus was already called on these services; call it once and add every consumer on the builder it returns.");
        }

        var registrations = new EventBusRegistrations();
        services.AddSingleton(registrations);
        services.TryAddSingleton<ConfigurationBindings>();

        services.AddOptionsWithValidateOnStart<EventBusOptions>();
        services.AddSingleton<IConfigureOptions<EventBusOptions>>(sp => new EventBusOptionsSetup(
            configuration ?? sp.GetService<IConfiguration>(), configure, sp.GetRequiredService<ConfigurationBindings>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventBusOptions>, RegisteredEventBusOptionsValidator>());

        services.TryAddSingleton(sp => new ProducerOwner(
            sp.GetRequiredService<IOptions<EventBusOptions>>(), sp.GetService<ILoggerFactory>(), sp.GetService<IEventSerializer>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<ProducerOwner>().Producer);
        services.TryAddSingleton<IEventProducer>(sp => sp.GetRequiredService<EventProducer>());

        services.TryAddSingleton(sp => new TopicProvisioningGate(sp.GetRequiredService<IOptions<EventBusOptions>>(), sp.GetService<ILoggerFactory>()));

        // Registered before any consumer: its StartingAsync provisions, its StoppedAsync closes the producer last.
        services.AddSingleton<IHostedService>(sp => new EventBusHostedService(
            sp.GetRequiredService<IOptions<EventBusOptions>>(),
            sp.GetRequiredService<ConfigurationBindings>(),
            sp.GetRequiredService<TopicProvisioningGate>(),
            sp.GetRequiredService<ProducerOwner>(),
            sp.GetService<ILoggerFactory>()));
        return new EventBusBuilder(services, registrations);
    }
}
