using EventBus.Kafka.Configuration;
using EventBus.Kafka.Diagnostics.Health;
using EventBus.Kafka.Hosting.Consumers;
using EventBus.Kafka.Hosting.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EventBus.Kafka.Hosting.Health;

/// <summary>
/// The health of the EventBus of this service, as the host runs it: the liveness and readiness that its health checks
/// report, and the JSON report for a <c>/health</c> endpoint. Registered as a singleton by
/// <see cref="EventBusHealthChecksBuilderExtensions.AddEventBus"/>; it reads the service's producer (once created), its
/// hosted consumers (once started) and the start-up provisioning report.
/// </summary>
/// <remarks>Thread-safe. See <see cref="EventBusHealthChecker"/> for what live and ready mean.</remarks>
public sealed class EventBusHealthReporter : IDisposable
{
    private readonly IServiceProvider _services;
    private readonly EventBusRegistrations _registrations;
    private readonly ProducerOwner _producer;
    private readonly TopicProvisioningGate _provisioning;
    private readonly Lazy<EventBusHealthChecker> _checker;
    private IReadOnlyList<ConsumerHostedService>? _consumers;

    internal EventBusHealthReporter(IServiceProvider services, IOptions<EventBusOptions> options, IOptionsMonitor<EventBusHealthOptions> healthOptions, TimeProvider? time)
    {
        _services = services;
        _registrations = services.GetRequiredService<EventBusRegistrations>();
        _producer = services.GetRequiredService<ProducerOwner>();
        _provisioning = services.GetRequiredService<TopicProvisioningGate>();
        _checker = new Lazy<EventBusHealthChecker>(() => new EventBusHealthChecker(options.Value, healthOptions.Get(Options.DefaultName), time), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Checks liveness: every running consumer's poll loop makes progress and nothing failed.</summary>
    /// <returns>The result.</returns>
    public EventBusHealthCheckResult CheckLiveness() => _checker.Value.CheckLiveness(Sources(out _));

    /// <summary>
    /// Checks readiness: topic provisioning completed and every consumer started, the cluster answers with the
    /// service's configuration, the producer can deliver, every consumer has its partitions (or legitimately none),
    /// every configured topic exists.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the cluster's answer.</param>
    /// <returns>The result.</returns>
    public async Task<EventBusHealthCheckResult> CheckReadinessAsync(CancellationToken cancellationToken = default)
    {
        var sources = Sources(out var notStarted);
        var result = await _checker.Value.CheckReadinessAsync(sources, cancellationToken).ConfigureAwait(false);
        return WithNotStarted(result, notStarted);
    }

    /// <summary>Makes the health report (<see cref="EventBusHealthReport.ToJson"/> for the JSON).</summary>
    /// <param name="cancellationToken">Stops waiting for the cluster's answer.</param>
    /// <returns>The report.</returns>
    public async Task<EventBusHealthReport> GetReportAsync(CancellationToken cancellationToken = default)
    {
        var sources = Sources(out var notStarted);
        var report = await _checker.Value.CreateReportAsync(sources, cancellationToken).ConfigureAwait(false);
        if (notStarted.Count == 0)
        {
            return report;
        }

        var readiness = WithNotStarted(report.Readiness, notStarted);
        return report with { Readiness = readiness, Status = readiness.Status > report.Status ? readiness.Status : report.Status, ConsumerRunning = false };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_checker.IsValueCreated)
        {
            _checker.Value.Dispose();
        }
    }

    private EventBusHealthSources Sources(out List<string> notStarted)
    {
        // Hosted services are singletons: these are the instances the host runs.
        _consumers ??= _services.GetServices<IHostedService>().OfType<ConsumerHostedService>().ToList();
        notStarted = [];
        if (!_provisioning.IsCompleted)
        {
            notStarted.Add("topic provisioning has not completed yet");
        }

        var consumers = new List<Consuming.EventConsumer>(_consumers.Count);
        foreach (var hosted in _consumers)
        {
            if (hosted.Consumer is { } consumer)
            {
                consumers.Add(consumer);
            }
            else
            {
                notStarted.Add($"{hosted.Registration}: not started yet");
            }
        }

        return new EventBusHealthSources(_producer.IsCreated ? _producer.Producer : null, consumers, _provisioning.LastReport);
    }

    private static EventBusHealthCheckResult WithNotStarted(EventBusHealthCheckResult result, List<string> notStarted) =>
        notStarted.Count == 0
            ? result
            : new EventBusHealthCheckResult(EventBusHealthStatus.Unhealthy, notStarted[0], [.. notStarted, .. result.Findings]);
}
