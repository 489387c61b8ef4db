using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Diagnostics;

/// <summary>W3C trace context in record headers: <c>traceparent</c> and <c>tracestate</c> (only used while something listens).</summary>
internal static class TraceContext
{
    private const int TraceParentLength = 55;

    /// <summary>
    /// The parent of a send span: the current activity (the caller's, or the process span on the dead-letter path), unless
    /// the record already carries a <c>traceparent</c> of another trace (a caller forwarding a context on purpose), which
    /// then wins; with no current activity, that header's context.
    /// </summary>
    /// <param name="headers">The record's headers.</param>
    /// <returns>The parent, or <see langword="default"/> for the current activity.</returns>
    public static ActivityContext ParentOfSend(Headers headers)
    {
        if (!TryExtract(headers, out var carried))
        {
            return default;
        }

        return Activity.Current is { } current && current.TraceId == carried.TraceId ? default : carried;
    }

    /// <summary>Reads the context a record carries (the last <c>traceparent</c>, with its <c>tracestate</c>).</summary>
    /// <param name="headers">The headers (may be <see langword="null"/>).</param>
    /// <param name="context">The context.</param>
    /// <returns>Whether the record carries a valid one.</returns>
    public static bool TryExtract(Headers? headers, out ActivityContext context)
    {
        context = default;
        if (headers is null || headers.Count == 0 || !headers.TryGetLastBytes(EventHeaderNames.TraceParent, out var parent) || parent is null)
        {
            return false;
        }

        if (!TryParse(parent, out var traceId, out var spanId, out var flags))
        {
            return false;
        }

        var state = headers.TryGetLastBytes(EventHeaderNames.TraceState, out var stateBytes) && stateBytes is { Length: > 0 }
            ? Encoding.UTF8.GetString(stateBytes)
            : null;
        context = new ActivityContext(traceId, spanId, flags, state, isRemote: true);
        return true;
    }

    /// <summary>Puts the activity's context into the headers, replacing a <c>traceparent</c> / <c>tracestate</c> already there.</summary>
    /// <param name="headers">The record's headers.</param>
    /// <param name="activity">The send span.</param>
    public static void Inject(Headers headers, Activity activity)
    {
        if (activity.IdFormat != ActivityIdFormat.W3C)
        {
            return;
        }

        if (headers.Count > 0 && headers.TryGetLastBytes(EventHeaderNames.TraceParent, out _))
        {
            headers.Remove(EventHeaderNames.TraceParent);
            headers.Remove(EventHeaderNames.TraceState);
        }

        headers.Add(EventHeaderNames.TraceParent, Format(activity.TraceId, activity.SpanId, activity.ActivityTraceFlags));
        if (activity.TraceStateString is { Length: > 0 } traceState)
        {
            headers.Add(EventHeaderNames.TraceState, Encoding.UTF8.GetBytes(traceState));
        }
    }

    /// <summary>Formats a version-00 <c>traceparent</c> straight into its header bytes (no intermediate strings).</summary>
    /// <param name="traceId">The trace id.</param>
    /// <param name="spanId">The span id.</param>
    /// <param name="flags">The flags.</param>
    /// <returns>The 55 ASCII bytes.</returns>
    public static byte[] Format(ActivityTraceId traceId, ActivitySpanId spanId, ActivityTraceFlags flags)
    {
        Span<byte> raw = stackalloc byte[16];
        var value = new byte[TraceParentLength];
        "00-"u8.CopyTo(value);
        traceId.CopyTo(raw);
        Hex(raw, value.AsSpan(3, 32));
        value[35] = (byte)'-';
        spanId.CopyTo(raw[..8]);
        Hex(raw[..8], value.AsSpan(36, 16));
        value[52] = (byte)'-';
        Hex([(byte)flags], value.AsSpan(53, 2));
        return value;
    }

    /// <summary>Parses a <c>traceparent</c> from its header bytes (W3C: version, 32 and 16 lower-case hex digits, flags).</summary>
    /// <param name="value">The bytes.</param>
    /// <param name="traceId">The trace id.</param>
    /// <param name="spanId">The span id.</param>
    /// <param name="flags">The flags.</param>
    /// <returns>Whether it is a valid one (not all-zero ids; a version other than ff).</returns>
    public static bool TryParse(ReadOnlySpan<byte> value, out ActivityTraceId traceId, out ActivitySpanId spanId, out ActivityTraceFlags flags)
    {
        traceId = default;
        spanId = default;
        flags = ActivityTraceFlags.None;

        // Version 00 is exactly 55 bytes; a later version may append fields after the flags.
        if (value.Length < TraceParentLength || (value.Length > TraceParentLength && value[TraceParentLength] != (byte)'-')
            || value[2] != (byte)'-' || value[35] != (byte)'-' || value[52] != (byte)'-'
            || !IsHex(value[..2]) || value[..2].SequenceEqual("ff"u8) || (value[..2].SequenceEqual("00"u8) && value.Length != TraceParentLength)
            || !IsHex(value.Slice(3, 32)) || !IsHex(value.Slice(36, 16)) || !IsHex(value.Slice(53, 2))
            || IsZero(value.Slice(3, 32)) || IsZero(value.Slice(36, 16)))
        {
            return false;
        }

        traceId = ActivityTraceId.CreateFromUtf8String(value.Slice(3, 32));
        spanId = ActivitySpanId.CreateFromUtf8String(value.Slice(36, 16));
        flags = (ActivityTraceFlags)((HexValue(value[53]) << 4) | HexValue(value[54]));
        return true;
    }

    private static void Hex(ReadOnlySpan<byte> bytes, Span<byte> into)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            into[2 * i] = (byte)"0123456789abcdef"[bytes[i] >> 4];
            into[(2 * i) + 1] = (byte)"0123456789abcdef"[bytes[i] & 0xF];
        }
    }

    private static bool IsHex(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsZero(ReadOnlySpan<byte> value) => !value.ContainsAnyExcept((byte)'0');

    private static int HexValue(byte b) => b <= '9' ? b - '0' : b - 'a' + 10;
}
