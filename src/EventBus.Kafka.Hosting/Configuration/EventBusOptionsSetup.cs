using EventBus.Kafka.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EventBus.Kafka.Hosting.Configuration;

/// <summary>
/// Builds <see cref="EventBusOptions"/> in layers, each over the one before: the code's <c>configure</c> action, then
/// the <c>EventBus</c> configuration section, then the <c>KAFKA_*</c> variables (which win). The variables are the
/// configuration's top-level keys (where Host.CreateApplicationBuilder and WebApplication.CreateBuilder put the
/// environment); without a configuration, the process environment.
/// </summary>
internal sealed class EventBusOptionsSetup : IConfigureOptions<EventBusOptions>
{
    private readonly IConfiguration? _configuration;
    private readonly Action<EventBusOptions>? _configure;
    private readonly ConfigurationBindings _bindings;

    /// <summary>Initializes a new instance of the <see cref="EventBusOptionsSetup"/> class.</summary>
    /// <param name="configuration">The application's configuration (its root), or <see langword="null"/> for the process environment only.</param>
    /// <param name="configure">Code defaults, applied first.</param>
    /// <param name="bindings">Receives what binding the section found.</param>
    public EventBusOptionsSetup(IConfiguration? configuration, Action<EventBusOptions>? configure, ConfigurationBindings bindings)
    {
        _configuration = configuration;
        _configure = configure;
        _bindings = bindings;
    }

    /// <inheritdoc />
    public void Configure(EventBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _configure?.Invoke(options);
        if (_configuration is null)
        {
            EnvironmentVariableBinder.Bind(options, EnvironmentVariableBinder.ReadProcessEnvironment());
            return;
        }

        var problems = new List<ConfigurationProblem>();
        var unknown = new List<string>();
        EventBusSectionBinder.Bind(_configuration.GetSection(EventBusOptions.SectionName), options, problems, unknown);
        EnvironmentVariableBinder.Bind(options, ReadVariables(_configuration));
        _bindings.Set(options, new ConfigurationBindings.Result(problems, unknown));
    }

    /// <summary>The configuration's top-level values: the environment variables, in a host's default configuration.</summary>
    /// <param name="configuration">The configuration root.</param>
    /// <returns>Each top-level key that has a value, with it.</returns>
    internal static IEnumerable<KeyValuePair<string, string?>> ReadVariables(IConfiguration configuration) =>
        configuration.GetChildren()
            .Where(c => c.Value is not null)
            .Select(c => new KeyValuePair<string, string?>(c.Key, c.Value))
            .ToList();
}
