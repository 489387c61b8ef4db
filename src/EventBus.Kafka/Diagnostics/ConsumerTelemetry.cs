using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;

namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// The telemetry of one consumer: its group for the tags, the consumer-side counters (retries, dead-letters, commit
/// failures, rebalances), the events on the current process span, and the lag its statistics report. Each method
/// checks its instrument (or a listener) first and does nothing more when nothing listens.
/// </summary>
internal sealed class ConsumerTelemetry : IDisposable
{
    private readonly SpanTemplates _processSpans;
    private Measurement<long>[] _lag = [];
    private Meter? _meter;
    private ObservableGauge<long>? _lagGauge;

    /// <summary>Initializes a new instance of the <see cref="ConsumerTelemetry"/> class.</summary>
    /// <param name="groupId">The consumer group.</param>
    public ConsumerTelemetry(string groupId)
    {
        GroupId = groupId;
        _processSpans = new SpanTemplates(TelemetryTags.Process, groupId);
    }

    /// <summary>Gets the consumer group.</summary>
    public string GroupId { get; }

    /// <summary>Gets the last lag measured per assigned partition (empty before the first statistics).</summary>
    public IReadOnlyList<Measurement<long>> Lag => Volatile.Read(ref _lag);

    /// <summary>A topic's process span template: <c>process {topic}</c> and its constant attributes (built once per topic).</summary>
    /// <param name="topic">The topic.</param>
    /// <returns>The template.</returns>
    public SpanTemplate ProcessSpan(string topic) => _processSpans.Of(topic);

    /// <summary>
    /// The consumer runs: its lag is reported from now on, by an <c>eventbus.consumer.lag</c> gauge of its own on a
    /// Meter named <see cref="EventBusInstrumentation.MeterName"/> (listeners attach by name, so they see every
    /// consumer's gauge; no process-wide list of consumers is needed).
    /// </summary>
    public void Start()
    {
        var meter = new Meter(EventBusInstrumentation.MeterName, Telemetry.Version);
        if (Interlocked.CompareExchange(ref _meter, meter, null) is not null)
        {
            meter.Dispose();
            return;
        }

        Volatile.Write(ref _lagGauge, meter.CreateObservableGauge(
            "eventbus.consumer.lag", () => Lag, "{message}",
            "Records of an assigned partition not yet committed by the group (end offset minus committed offset), from librdkafka's statistics."));
    }

    /// <summary>The consumer is released: its lag is no longer reported (its Meter is disposed).</summary>
    public void Dispose()
    {
        Volatile.Write(ref _lagGauge, null);
        Interlocked.Exchange(ref _meter, null)?.Dispose();
        Volatile.Write(ref _lag, []);
    }

    /// <summary>librdkafka's statistics (on the poll thread): parsed only while the lag gauge is listened to.</summary>
    /// <param name="json">The statistics document.</param>
    public void OnStatistics(string json)
    {
        if (Volatile.Read(ref _lagGauge) is { Enabled: true })
        {
            Volatile.Write(ref _lag, ConsumerLagStatistics.Parse(json, GroupId));
        }
    }

    /// <summary>A handler attempt failed and the record is tried again after <paramref name="delay"/>.</summary>
    /// <param name="topic">The record's topic.</param>
    /// <param name="partition">Its partition.</param>
    /// <param name="attempt">The attempt that failed (1 for the first).</param>
    /// <param name="delay">The backoff.</param>
    /// <param name="error">What the handler threw.</param>
    public void Retrying(string topic, int partition, int attempt, TimeSpan delay, Exception error)
    {
        var span = CurrentProcessSpan();
        if (!Telemetry.Retries.Enabled && span is null)
        {
            return;
        }

        var errorType = TelemetryTags.ErrorTypeOf(error);
        span?.AddEvent(new ActivityEvent(TelemetryTags.RetryEvent, tags: new ActivityTagsCollection
        {
            { TelemetryTags.Attempt, attempt },
            { TelemetryTags.RetryDelayMs, delay.TotalMilliseconds },
            { TelemetryTags.ErrorType, errorType },
        }));
        if (Telemetry.Retries.Enabled)
        {
            var tags = Tags(topic, partition);
            tags.Add(TelemetryTags.ErrorType, errorType);
            Telemetry.Retries.Add(1, tags);
        }
    }

    /// <summary>A record went to the dead-letter topic.</summary>
    /// <param name="topic">The record's topic.</param>
    /// <param name="partition">Its partition.</param>
    /// <param name="deadLetterTopic">Where it went.</param>
    /// <param name="attempts">How many times its handler ran (0 when it could not be deserialized).</param>
    /// <param name="error">Why it failed.</param>
    public void DeadLettered(string topic, int partition, string deadLetterTopic, int attempts, Exception error)
    {
        var span = CurrentProcessSpan();
        if (!Telemetry.DeadLettered.Enabled && span is null)
        {
            return;
        }

        var errorType = TelemetryTags.ErrorTypeOf(error);
        span?.AddEvent(new ActivityEvent(TelemetryTags.DeadLetterEvent, tags: new ActivityTagsCollection
        {
            { TelemetryTags.DeadLetterTopic, deadLetterTopic },
            { TelemetryTags.Attempt, attempts },
            { TelemetryTags.ErrorType, errorType },
        }));
        if (Telemetry.DeadLettered.Enabled)
        {
            var tags = Tags(topic, partition);
            tags.Add(TelemetryTags.ErrorType, errorType);
            Telemetry.DeadLettered.Add(1, tags);
        }
    }

    /// <summary>An offset commit failed or was refused.</summary>
    /// <param name="code">The error.</param>
    public void CommitFailed(ErrorCode code)
    {
        if (Telemetry.CommitFailures.Enabled)
        {
            Telemetry.CommitFailures.Add(1, new TagList
            {
                { TelemetryTags.MessagingSystem, TelemetryTags.Kafka },
                { TelemetryTags.ConsumerGroup, GroupId },
                { TelemetryTags.ErrorType, code.ToString() },
            });
        }
    }

    /// <summary>A rebalance callback ran.</summary>
    /// <param name="kind"><c>assigned</c>, <c>revoked</c> or <c>lost</c>.</param>
    public void Rebalanced(string kind)
    {
        if (Telemetry.Rebalances.Enabled)
        {
            Telemetry.Rebalances.Add(1, new TagList
            {
                { TelemetryTags.MessagingSystem, TelemetryTags.Kafka },
                { TelemetryTags.ConsumerGroup, GroupId },
                { TelemetryTags.RebalanceKind, kind },
            });
        }
    }

    /// <summary>The metric tags of a record's partition.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <returns>The tags.</returns>
    public TagList Tags(string topic, int partition) => new()
    {
        { TelemetryTags.MessagingSystem, TelemetryTags.Kafka },
        { TelemetryTags.ConsumerGroup, GroupId },
        { TelemetryTags.DestinationName, topic },
        { TelemetryTags.PartitionId, TelemetryTags.Partition(partition) },
    };

    private static Activity? CurrentProcessSpan() =>
        Activity.Current is { Kind: ActivityKind.Consumer, IsAllDataRequested: true } current && ReferenceEquals(current.Source, Telemetry.Source) ? current : null;
}
