using EventBus.Kafka.Configuration;
using EventBus.Kafka.Diagnostics.Health;
using EventBus.Kafka.Hosting.Consumers;
using EventBus.Kafka.Hosting.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds EventBus's liveness and readiness checks to the application's health checks.</summary>
public static class EventBusHealthChecksBuilderExtensions
{
    /// <summary>The name of the liveness check.</summary>
    public const string LivenessCheckName = "eventbus-live";

    /// <summary>The name of the readiness check.</summary>
    public const string ReadinessCheckName = "eventbus-ready";

    /// <summary>
    /// Adds two checks of the EventBus added with <c>services.AddEventBus(...)</c>: <see cref="LivenessCheckName"/>
    /// tagged <see cref="EventBusHealthTags.Live"/> and <see cref="ReadinessCheckName"/> tagged
    /// <see cref="EventBusHealthTags.Ready"/>, and the <see cref="EventBusHealthReporter"/> that a <c>/health</c> JSON
    /// endpoint reads.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="configure">Changes the bounds (the poll stall bound, the metadata request's timeout).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">EventBus was not added to the services (call <c>AddEventBus</c> first).</exception>
    /// <remarks>
    /// <para>Live: every running consumer's poll loop polled within <see cref="EventBusHealthOptions.MaxPollStall"/>, and no
    /// client is Failed. Ready: topic provisioning completed and every consumer started, the cluster answers a metadata
    /// request made with the service's configuration (so never while TLS or authentication fails), the producer can
    /// deliver, each consumer has its partitions (or joined a group with more members than partitions), and every
    /// configured topic exists. A Degraded client whose cluster answers again is Degraded, which ASP.NET Core serves as 200.</para>
    /// </remarks>
    /// <example>
    /// <code>
    /// builder.Services.AddEventBus(builder.Configuration).AddConsumer(...);
    /// builder.Services.AddHealthChecks().AddEventBus();
    /// app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c =&gt; c.Tags.Contains(EventBusHealthTags.Live) });
    /// app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c =&gt; c.Tags.Contains(EventBusHealthTags.Ready) });
    /// </code>
    /// </example>
    public static IHealthChecksBuilder AddEventBus(this IHealthChecksBuilder builder, Action<EventBusHealthOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(EventBusRegistrations)))
        {
            throw new InvalidOperationException("Call services.AddEventBus(...) before services.AddHealthChecks().AddEventBus(): the health checks read the EventBus it adds.");
        }

        var options = services.AddOptions<EventBusHealthOptions>().Validate(o =>
        {
            o.Validate();
            return true;
        });
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new EventBusHealthReporter(sp, sp.GetRequiredService<IOptions<EventBusOptions>>(), sp.GetRequiredService<IOptionsMonitor<EventBusHealthOptions>>(), sp.GetService<TimeProvider>()));
        builder.Add(new HealthCheckRegistration(LivenessCheckName, sp => new EventBusHealthCheck(sp.GetRequiredService<EventBusHealthReporter>(), readiness: false), HealthStatus.Unhealthy, [EventBusHealthTags.Live]));
        builder.Add(new HealthCheckRegistration(ReadinessCheckName, sp => new EventBusHealthCheck(sp.GetRequiredService<EventBusHealthReporter>(), readiness: true), HealthStatus.Unhealthy, [EventBusHealthTags.Ready]));
        return builder;
    }
}
