using System.Diagnostics;
using EventBus.Kafka.Diagnostics.Health;
using EventBus.Kafka.Hosting.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Hosting.Tests.Health;

/// <summary>Hosts with EventBus and its health checks, configured only by variables; checks run through the application's <see cref="HealthCheckService"/>.</summary>
internal static class HealthHosts
{
    public static IHost Build(IDictionary<string, string?> variables, CapturedLogs logs, Action<EventBusBuilder> configure, Action<EventBusHealthOptions>? health = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(variables);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddProvider(logs);
        configure(builder.Services.AddEventBus(builder.Configuration));
        builder.Services.AddHealthChecks().AddEventBus(o =>
        {
            o.ProbeInterval = TimeSpan.Zero; // every check asks the cluster: the tests follow each change at once
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
            health?.Invoke(o);
        });
        return builder.Build();
    }

    /// <summary>Runs the checks of one tag (<c>live</c> or <c>ready</c>) as an endpoint with that predicate would.</summary>
    public static async Task<HealthReportEntry> CheckAsync(IHost host, string tag)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains(tag), TestContext.Current.CancellationToken);
        return report.Entries.Single().Value;
    }

    public static Task<HealthReportEntry> WaitForAsync(IHost host, string tag, Func<HealthStatus, bool> condition, TimeSpan timeout, string what) =>
        WaitForEntryAsync(host, tag, e => condition(e.Status), timeout, what);

    public static async Task<HealthReportEntry> WaitForEntryAsync(IHost host, string tag, Func<HealthReportEntry, bool> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var entry = await CheckAsync(host, tag);
            if (condition(entry))
            {
                return entry;
            }

            if (stopwatch.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}; the {tag} check says {entry.Status}: {entry.Description}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
