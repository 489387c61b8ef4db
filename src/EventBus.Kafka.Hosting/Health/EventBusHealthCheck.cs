using EventBus.Kafka.Diagnostics.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventBus.Kafka.Hosting.Health;

/// <summary>EventBus's liveness (<see cref="EventBusHealthTags.Live"/>) or readiness (<see cref="EventBusHealthTags.Ready"/>) check.</summary>
internal sealed class EventBusHealthCheck(EventBusHealthReporter reporter, bool readiness) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = readiness ? await reporter.CheckReadinessAsync(cancellationToken).ConfigureAwait(false) : reporter.CheckLiveness();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        for (var i = 0; i < result.Findings.Count; i++)
        {
            data["finding" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)] = result.Findings[i];
        }

        return result.Status switch
        {
            EventBusHealthStatus.Healthy => HealthCheckResult.Healthy(result.Description, data),
            EventBusHealthStatus.Degraded => HealthCheckResult.Degraded(result.Description, data: data),
            _ => new HealthCheckResult(context.Registration.FailureStatus, result.Description, data: data),
        };
    }
}
