using System.Diagnostics.Metrics;

namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// The running consumers whose lag the process-wide <c>eventbus.consumer.lag</c> gauge reports. The gauge is one
/// instrument of the library's one Meter (listeners attach by name), so the consumers it reads must be found from it:
/// each registers when it starts and leaves when it is released. This is the only process-wide mutable state of the
/// telemetry, guarded by a lock and touched only at start, at stop and when a listener collects.
/// </summary>
internal static class ConsumerLagRegistry
{
    private static readonly object Gate = new();
    private static readonly List<ConsumerTelemetry> Consumers = [];

    /// <summary>Adds a consumer (idempotent).</summary>
    /// <param name="consumer">Its telemetry.</param>
    public static void Add(ConsumerTelemetry consumer)
    {
        lock (Gate)
        {
            if (!Consumers.Contains(consumer))
            {
                Consumers.Add(consumer);
            }
        }
    }

    /// <summary>Removes a consumer (idempotent).</summary>
    /// <param name="consumer">Its telemetry.</param>
    public static void Remove(ConsumerTelemetry consumer)
    {
        lock (Gate)
        {
            Consumers.Remove(consumer);
        }
    }

    /// <summary>The gauge's callback: the last lag of every partition of every registered consumer.</summary>
    /// <returns>The measurements.</returns>
    public static IEnumerable<Measurement<long>> Observe()
    {
        List<Measurement<long>> measurements = [];
        lock (Gate)
        {
            foreach (var consumer in Consumers)
            {
                measurements.AddRange(consumer.Lag);
            }
        }

        return measurements;
    }
}
