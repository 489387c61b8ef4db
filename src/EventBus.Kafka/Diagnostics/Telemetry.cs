using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// The library's one <see cref="ActivitySource"/> and one <see cref="Meter"/> (both <see cref="EventBusInstrumentation.ActivitySourceName"/>)
/// and their instruments, created once per process like every .NET library's: listeners (an OpenTelemetry SDK) attach
/// by name. Every instrument has a unit and a description; durations are in seconds, as the conventions ask.
/// </summary>
/// <remarks>
/// The hot paths ask <see cref="IsSendObserved"/> / <see cref="IsProcessObserved"/> (a few field reads) and do nothing
/// more when nothing listens: no tags, no timestamps, no allocation.
/// </remarks>
internal static class Telemetry
{
    private static readonly string? Version = typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>Gets the source of the send and process spans.</summary>
    public static readonly ActivitySource Source = new(EventBusInstrumentation.ActivitySourceName, Version);

    /// <summary>Gets the meter of every instrument.</summary>
    public static readonly Meter Meter = new(EventBusInstrumentation.MeterName, Version);

    /// <summary>messaging.client.sent.messages: every message the producer tried to send, with error.type when it failed.</summary>
    public static readonly Counter<long> SentMessages = Meter.CreateCounter<long>(
        "messaging.client.sent.messages", "{message}", "Number of messages the producer attempted to send to the broker (error.type set when the attempt failed).");

    /// <summary>messaging.client.consumed.messages: every record handed to a handler.</summary>
    public static readonly Counter<long> ConsumedMessages = Meter.CreateCounter<long>(
        "messaging.client.consumed.messages", "{message}", "Number of messages that were delivered to the application (handed to a handler).");

    /// <summary>messaging.client.operation.duration: a send, from handing the record over to the broker's acknowledgement.</summary>
    public static readonly Histogram<double> OperationDuration = CreateDuration(
        "messaging.client.operation.duration", "Duration of messaging operation initiated by a producer or consumer client: a send, until the broker acknowledged it (or it failed).");

    /// <summary>messaging.process.duration: a record's (or batch's) handling, retries and dead-lettering included.</summary>
    public static readonly Histogram<double> ProcessDuration = CreateDuration(
        "messaging.process.duration", "Duration of processing operation: handling a record or batch, its retries and dead-lettering included.");

    /// <summary>eventbus.consumer.retries: handler attempts that failed and are tried again.</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "eventbus.consumer.retries", "{retry}", "Handler attempts that failed and are retried in place after a backoff.");

    /// <summary>eventbus.consumer.dead_lettered: records sent to the dead-letter topic.</summary>
    public static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>(
        "eventbus.consumer.dead_lettered", "{message}", "Records published to the dead-letter topic: their handler failed for good, or they could not be deserialized.");

    /// <summary>eventbus.consumer.commit.failures: offset commits that failed or that a rebalance refused.</summary>
    public static readonly Counter<long> CommitFailures = Meter.CreateCounter<long>(
        "eventbus.consumer.commit.failures", "{commit}", "Offset commits that failed or were refused (a rebalance in progress); the offsets are committed again later.");

    /// <summary>eventbus.consumer.rebalances: partitions assigned, revoked or lost.</summary>
    public static readonly Counter<long> Rebalances = Meter.CreateCounter<long>(
        "eventbus.consumer.rebalances", "{rebalance}", "Rebalance callbacks served: partitions assigned, revoked or lost (eventbus.rebalance.kind).");

    /// <summary>eventbus.consumer.lag: per assigned partition, the records between the committed offset and the end.</summary>
    public static readonly ObservableGauge<long> ConsumerLag = Meter.CreateObservableGauge(
        "eventbus.consumer.lag", ConsumerLagRegistry.Observe, "{message}",
        "Records of an assigned partition not yet committed by the group (end offset minus committed offset), from librdkafka's statistics.");

    /// <summary>Gets a value indicating whether anything listens to sends (a span or a send metric).</summary>
    public static bool IsSendObserved => Source.HasListeners() || SentMessages.Enabled || OperationDuration.Enabled;

    /// <summary>Gets a value indicating whether anything listens to record processing (a span or a consume metric).</summary>
    public static bool IsProcessObserved => Source.HasListeners() || ConsumedMessages.Enabled || ProcessDuration.Enabled;

    /// <summary>The seconds elapsed since <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    /// <param name="started">The start.</param>
    /// <returns>The seconds.</returns>
    public static double SecondsSince(long started) => Stopwatch.GetElapsedTime(started).TotalSeconds;

    private static Histogram<double> CreateDuration(string name, string description) =>
#if NET9_0_OR_GREATER
        // The conventions' buckets for messaging durations (the SDK's default ones are meant for milliseconds).
        Meter.CreateHistogram<double>(name, "s", description, tags: null, advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
        });
#else
        Meter.CreateHistogram<double>(name, "s", description);
#endif
}
