using EventBus.Kafka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Hosting.Tests.Infrastructure;

/// <summary>
/// Generic hosts as a service builds them, configured only by the variables given: an in-memory configuration
/// source stands where the environment would be, and the process environment is never read.
/// </summary>
internal static class TestHosts
{
    public static IHost Build(IDictionary<string, string?> variables, CapturedLogs logs, Action<EventBusBuilder> configure, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(variables);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddProvider(logs);
        services?.Invoke(builder.Services);
        configure(builder.Services.AddEventBus(builder.Configuration));
        return builder.Build();
    }
}
