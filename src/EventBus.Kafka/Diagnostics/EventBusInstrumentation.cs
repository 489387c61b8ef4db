namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// The names under which EventBus emits traces and metrics: one <see cref="System.Diagnostics.ActivitySource"/> and one
/// <see cref="System.Diagnostics.Metrics.Meter"/>, both named <see cref="ActivitySourceName"/> (<c>EventBus.Kafka</c>),
/// following the OpenTelemetry messaging semantic conventions. No OpenTelemetry package is needed: connect an SDK with
/// <c>.AddSource(EventBusInstrumentation.ActivitySourceName)</c> and <c>.AddMeter(EventBusInstrumentation.MeterName)</c>.
/// </summary>
/// <remarks>
/// <para>Spans: <c>send {topic}</c> (kind Producer) per publish or per batch, whose context goes into the record's
/// <c>traceparent</c> (and <c>tracestate</c>) header; <c>process {topic}</c> (kind Consumer) per handled record, a child
/// of the context in the record's <c>traceparent</c>, with <c>eventbus.retry</c> and <c>eventbus.dead_letter</c> events;
/// a batch handler's span links to every record's context instead.</para>
/// <para>Metrics: <c>messaging.client.sent.messages</c>, <c>messaging.client.consumed.messages</c>,
/// <c>messaging.client.operation.duration</c>, <c>messaging.process.duration</c>, <c>eventbus.consumer.retries</c>,
/// <c>eventbus.consumer.dead_lettered</c>, <c>eventbus.consumer.commit.failures</c>, <c>eventbus.consumer.rebalances</c>
/// and <c>eventbus.consumer.lag</c> (per assigned partition, from librdkafka's statistics; see
/// <see cref="Configuration.KafkaConsumerOptions.StatisticsIntervalMs"/>).</para>
/// <para>With nothing listening, the publish and consume paths check one flag per message and do no other work.</para>
/// </remarks>
public static class EventBusInstrumentation
{
    /// <summary>The name of the ActivitySource: <c>EventBus.Kafka</c>.</summary>
    public const string ActivitySourceName = "EventBus.Kafka";

    /// <summary>The name of the Meter: <c>EventBus.Kafka</c>.</summary>
    public const string MeterName = "EventBus.Kafka";
}
