using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Tests.Diagnostics;

public sealed class TelemetryPropagationTests
{
    private const string OtherTrace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void Inject_RecordWithAnEarlierTraceparent_ReplacedByTheSpanContext_OneHeaderEach()
    {
        using var span = new Activity("send").SetIdFormat(ActivityIdFormat.W3C).Start();
        span.TraceStateString = "vendor=1";
        var headers = new Headers
        {
            { EventHeaderNames.TraceParent, Encoding.ASCII.GetBytes(OtherTrace) },
            { EventHeaderNames.TraceState, "old=2"u8.ToArray() },
            { "other", "x"u8.ToArray() },
        };

        TraceContext.Inject(headers, span);

        Assert.Equal([span.Id!], Values(headers, EventHeaderNames.TraceParent));
        Assert.Equal(["vendor=1"], Values(headers, EventHeaderNames.TraceState));
        Assert.Equal(["x"], Values(headers, "other"));
        Assert.True(TraceContext.TryExtract(headers, out var context));
        Assert.Equal((span.TraceId, span.SpanId, "vendor=1"), (context.TraceId, context.SpanId, context.TraceState));
        Assert.True(context.IsRemote);
    }

    [Fact]
    public void ParentOfSend_HeaderOfTheCurrentTrace_TheCurrentActivity()
    {
        using var current = new Activity("handler").SetIdFormat(ActivityIdFormat.W3C).Start();
        var headers = new Headers { { EventHeaderNames.TraceParent, Encoding.ASCII.GetBytes($"00-{current.TraceId}-b7ad6b7169203331-01") } };

        // The dead-letter path: the original record's traceparent is of the process span's trace; the process span is closer.
        Assert.Equal(default, TraceContext.ParentOfSend(headers));
    }

    [Fact]
    public void ParentOfSend_HeaderOfAnotherTrace_TheHeaderWins()
    {
        using var current = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
        var headers = new Headers { { EventHeaderNames.TraceParent, Encoding.ASCII.GetBytes(OtherTrace) } };

        var parent = TraceContext.ParentOfSend(headers);

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", parent.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", parent.SpanId.ToHexString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-traceparent")]
    [InlineData("00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")]
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra")]
    [InlineData("00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01")]
    public void TryExtract_NoValidTraceparent_False(string? value)
    {
        var headers = value is null ? new Headers() : new Headers { { EventHeaderNames.TraceParent, Encoding.ASCII.GetBytes(value) } };
        Assert.False(TraceContext.TryExtract(headers, out _));
        Assert.False(TraceContext.TryExtract(null, out _));
        Assert.Equal(default, TraceContext.ParentOfSend(headers));
    }

    [Fact]
    public void FormatAndTryParse_TheSameAsActivityIdAndActivityContext()
    {
        using var span = new Activity("send").SetIdFormat(ActivityIdFormat.W3C).Start();
        span.ActivityTraceFlags = ActivityTraceFlags.Recorded;

        var bytes = TraceContext.Format(span.TraceId, span.SpanId, span.ActivityTraceFlags);

        Assert.Equal(span.Id, Encoding.ASCII.GetString(bytes));
        Assert.True(TraceContext.TryParse(bytes, out var traceId, out var spanId, out var flags));
        Assert.Equal((span.TraceId, span.SpanId, ActivityTraceFlags.Recorded), (traceId, spanId, flags));
        Assert.True(TraceContext.TryParse("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00-future"u8, out _, out _, out var none));
        Assert.Equal(ActivityTraceFlags.None, none);
    }

    [Fact]
    public void PartitionIds_CachedForSmallPartitions_FormattedBeyond()
    {
        Assert.Same(TelemetryTags.Partition(7), TelemetryTags.Partition(7));
        Assert.Equal("7", TelemetryTags.Partition(7));
        Assert.Equal("1000", TelemetryTags.Partition(1000));
    }

    [Fact]
    public void ErrorType_KafkaErrorsByCode_OthersByType()
    {
        var publish = new EventPublishException("t", null, "id", ErrorCode.Local_MsgTimedOut, "timed out", isRetriable: true);
        Assert.Equal("Local_MsgTimedOut", TelemetryTags.ErrorTypeOf(publish));
        Assert.Equal("TopicAuthorizationFailed", TelemetryTags.ErrorTypeOf(new KafkaException(ErrorCode.TopicAuthorizationFailed)));
        Assert.Equal("System.InvalidOperationException", TelemetryTags.ErrorTypeOf(new InvalidOperationException()));
    }

    private static List<string> Values(Headers headers, string key) =>
        [.. headers.Where(h => h.Key == key).Select(h => Encoding.UTF8.GetString(h.GetValueBytes()))];
}
