using System.Diagnostics;
using System.Diagnostics.Metrics;
using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>
/// The exactly-once instruments, on the library's one <see cref="Meter"/>: transactions by outcome and the commit
/// cycle's duration. Measured only while a listener takes them.
/// </summary>
internal static class TransactionTelemetry
{
    /// <summary>The outcome tag: <c>committed</c>, <c>aborted</c> or <c>fenced</c>.</summary>
    public const string OutcomeTag = "eventbus.transaction.outcome";

    /// <summary>eventbus.consumer.transactions: transactions ended, by outcome.</summary>
    public static readonly Counter<long> Transactions = Telemetry.Meter.CreateCounter<long>(
        "eventbus.consumer.transactions", "{transaction}",
        "Exactly-once transactions ended (one per transactional producer per commit cycle), by eventbus.transaction.outcome: committed, aborted (records redelivered) or fenced (producer rebuilt, records redelivered).");

    /// <summary>eventbus.consumer.transaction.cycle.duration: one commit cycle, produce and commit of every producer with work.</summary>
    public static readonly Histogram<double> CycleDuration = Telemetry.Meter.CreateHistogram<double>(
        "eventbus.consumer.transaction.cycle.duration", "s",
        "Duration of an exactly-once commit cycle: producing the held records, sending the offsets and committing, for every transactional producer with work (the poll thread waits for it).");

    /// <summary>Counts a transaction's end.</summary>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="outcome">The outcome.</param>
    public static void Ended(string groupId, string outcome)
    {
        if (Transactions.Enabled)
        {
            Transactions.Add(1, new TagList { { TelemetryTags.MessagingSystem, TelemetryTags.Kafka }, { TelemetryTags.ConsumerGroup, groupId }, { OutcomeTag, outcome } });
        }
    }

    /// <summary>Records a commit cycle's duration.</summary>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="elapsedTicks">Its duration in <see cref="Stopwatch"/> ticks.</param>
    public static void Cycle(string groupId, long elapsedTicks)
    {
        if (CycleDuration.Enabled)
        {
            CycleDuration.Record((double)elapsedTicks / Stopwatch.Frequency, new TagList { { TelemetryTags.MessagingSystem, TelemetryTags.Kafka }, { TelemetryTags.ConsumerGroup, groupId } });
        }
    }
}
