namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// What every span of one operation on one destination shares: its name and its constant attributes, given to
/// <see cref="System.Diagnostics.ActivitySource.StartActivity(System.Diagnostics.ActivityKind, System.Diagnostics.ActivityContext, IEnumerable{KeyValuePair{string, object}}, IEnumerable{System.Diagnostics.ActivityLink}, DateTimeOffset, string)"/>
/// so that samplers see them (the conventions' sampling-relevant attributes) and nothing scans for them per message.
/// </summary>
/// <param name="Name">The span name, <c>{operation} {destination}</c>.</param>
/// <param name="Tags">The constant attributes: system, operation type and name, destination (and consumer group).</param>
internal sealed record SpanTemplate(string Name, KeyValuePair<string, object?>[] Tags);
