using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Hosting;

/// <summary>Hosting log messages. Event ids 7000–7099; names are frozen once shipped.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, EventName = "ConfigurationKeyUnknown", Level = LogLevel.Warning,
        Message = "Configuration key {Key} is not an EventBus setting and is ignored; check its spelling against the EventBusOptions properties")]
    public static partial void UnknownConfigurationKey(ILogger logger, string key);

    [LoggerMessage(EventId = 7001, EventName = "ProvisioningSkipped", Level = LogLevel.Information,
        Message = "Topic provisioning skipped: KAFKA_TOPIC_AUTO_CREATE is false")]
    public static partial void ProvisioningSkipped(ILogger logger);

    [LoggerMessage(EventId = 7002, EventName = "ProvisioningStarting", Level = LogLevel.Information,
        Message = "Provisioning {Count} topic(s) before any consumer starts")]
    public static partial void ProvisioningStarting(ILogger logger, int count);

    [LoggerMessage(EventId = 7003, EventName = "ProvisioningCompleted", Level = LogLevel.Information,
        Message = "Topics provisioned in {ElapsedMs:0} ms: {Report}")]
    public static partial void ProvisioningCompleted(ILogger logger, double elapsedMs, string report);

    [LoggerMessage(EventId = 7004, EventName = "ProvisioningFailed", Level = LogLevel.Critical,
        Message = "Topic provisioning failed after {ElapsedMs:0} ms; the host does not start")]
    public static partial void ProvisioningFailed(ILogger logger, Exception exception, double elapsedMs);

    [LoggerMessage(EventId = 7010, EventName = "HostedConsumerStarting", Level = LogLevel.Information,
        Message = "Starting {Consumer}: {Routes}")]
    public static partial void ConsumerStarting(ILogger logger, string consumer, string routes);

    [LoggerMessage(EventId = 7011, EventName = "HostedConsumerFaulted", Level = LogLevel.Critical,
        Message = "{Consumer} faulted; stopping the application with exit code {ExitCode}")]
    public static partial void ConsumerFaulted(ILogger logger, Exception exception, string consumer, int exitCode);

    [LoggerMessage(EventId = 7012, EventName = "HostedConsumerFaultedWhileStopping", Level = LogLevel.Error,
        Message = "{Consumer} faulted while stopping; exit code {ExitCode}")]
    public static partial void ConsumerFaultedWhileStopping(ILogger logger, Exception exception, string consumer, int exitCode);

    [LoggerMessage(EventId = 7013, EventName = "HostedConsumerStopTimedOut", Level = LogLevel.Warning,
        Message = "{Consumer} did not stop within the host's shutdown timeout; it goes on stopping in the background, and records it did not commit will be redelivered. Lower EventConsumerOptions.ShutdownTimeout and CloseTimeout, or raise HostOptions.ShutdownTimeout")]
    public static partial void ConsumerStopTimedOut(ILogger logger, string consumer);

    [LoggerMessage(EventId = 7014, EventName = "HostedConsumerStopped", Level = LogLevel.Information,
        Message = "{Consumer} stopped: {Processed} processed, {DeadLettered} dead-lettered, {Commits} commit(s)")]
    public static partial void ConsumerStopped(ILogger logger, string consumer, long processed, long deadLettered, long commits);

    [LoggerMessage(EventId = 7020, EventName = "ProducerClosing", Level = LogLevel.Information,
        Message = "Every hosted service has stopped; flushing and closing the producer ({InFlight} message(s) in flight)")]
    public static partial void ProducerClosing(ILogger logger, long inFlight);

    [LoggerMessage(EventId = 7021, EventName = "ProducerCloseTimedOut", Level = LogLevel.Warning,
        Message = "The producer did not close within the host's shutdown timeout; it goes on flushing until KAFKA_PRODUCER_CLOSE_TIMEOUT")]
    public static partial void ProducerCloseTimedOut(ILogger logger);
}
