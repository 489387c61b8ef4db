using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Configuration;

/// <summary>Configuration log messages. Event ids 4000–4049; names are frozen once shipped.</summary>
internal static partial class ConfigurationLog
{
    /// <summary>
    /// Logs each of <see cref="EventBusOptions.ConfigurationWarnings"/> the first time it is called for these options, so
    /// that a producer, a consumer and a provisioner built from the same options log them once between them.
    /// </summary>
    /// <param name="logger">The logger.</param>
    /// <param name="options">The options.</param>
    public static void WarningsOnce(ILogger logger, EventBusOptions options)
    {
        if (options.BindingWarnings.Count == 0 || Interlocked.Exchange(ref options.WarningsLogged, 1) != 0)
        {
            return;
        }

        foreach (var warning in options.ConfigurationWarnings)
        {
            MisspeltVariable(logger, warning.Variable, warning.Message);
        }
    }

    [LoggerMessage(EventId = 4000, EventName = "ConfigurationVariableMisspelt", Level = LogLevel.Warning,
        Message = "EventBus configuration: {Variable} {Warning}")]
    private static partial void MisspeltVariable(ILogger logger, string variable, string warning);
}
