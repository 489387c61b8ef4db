namespace EventBus.Kafka.Producing;

/// <summary>The headers EventBus writes on every message.</summary>
public static class EventHeaderNames
{
    /// <summary>When the message was published: UTC Unix epoch seconds, as ASCII digits.</summary>
    public const string Timestamp = "timestamp";

    /// <summary>The publishing service: <c>SERVICE_NAME</c>.</summary>
    public const string Source = "source";

    /// <summary>A unique id of the message (32 lowercase hex digits); consumers deduplicate on it.</summary>
    public const string MessageId = "message-id";

    /// <summary>The MIME type of the value, e.g. <c>application/json</c>.</summary>
    public const string ContentType = "content-type";

    /// <summary>W3C trace context of the publishing activity, when one is current.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C trace state of the publishing activity, when it has one.</summary>
    public const string TraceState = "tracestate";
}
