using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Diagnostics;

/// <summary>W3C trace context in record headers: <c>traceparent</c> and <c>tracestate</c> (only used while something listens).</summary>
internal static class TraceContext
{
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

        var state = headers.TryGetLastBytes(EventHeaderNames.TraceState, out var stateBytes) && stateBytes is { Length: > 0 }
            ? Encoding.UTF8.GetString(stateBytes)
            : null;
        return ActivityContext.TryParse(Encoding.ASCII.GetString(parent), state, isRemote: true, out context);
    }

    /// <summary>Puts the activity's context into the headers, replacing a <c>traceparent</c> / <c>tracestate</c> already there.</summary>
    /// <param name="headers">The record's headers.</param>
    /// <param name="activity">The send span.</param>
    public static void Inject(Headers headers, Activity activity)
    {
        if (activity.IdFormat != ActivityIdFormat.W3C || activity.Id is not { } id)
        {
            return;
        }

        if (headers.Count > 0)
        {
            headers.Remove(EventHeaderNames.TraceParent);
            headers.Remove(EventHeaderNames.TraceState);
        }

        headers.Add(EventHeaderNames.TraceParent, Encoding.ASCII.GetBytes(id));
        if (activity.TraceStateString is { Length: > 0 } traceState)
        {
            headers.Add(EventHeaderNames.TraceState, Encoding.UTF8.GetBytes(traceState));
        }
    }
}
