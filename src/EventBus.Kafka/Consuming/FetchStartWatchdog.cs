using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// Starts assigned partitions that librdkafka left unstarted. Before fetching a partition assigned without an offset,
/// librdkafka reads its committed offset (OffsetFetch); when that request fails — the group coordinator moved, as after
/// every broker went down, and the old one answers NOT_COORDINATOR — librdkafka raises "Failed to fetch committed
/// offset(s)" and leaves the partition assigned but unfetched until the application assigns it again (librdkafka
/// #5586). Nothing else recovers it: the member keeps the partition, heartbeats, and its lag grows.
/// </summary>
/// <remarks>
/// <para>Two triggers. That error: every owned partition that has received nothing since it was assigned and has no
/// fetch position is assigned again (unassigned, then assigned with no offset, so librdkafka reads the committed offset
/// anew) half a second later. And, for a failure that raises no such error, a watch: such a partition is assigned again
/// once it has waited <see cref="FirstWait"/> (from the first look after its assignment), then after twice the
/// wait each time, up to <see cref="LongestWait"/>.
/// A partition that only is idle (started, nothing to read) looks the same from here; assigning it again costs one
/// OffsetFetch and changes nothing.</para>
/// <para>Poll thread only, between polls: librdkafka serves rebalances inside Consume, so no rebalance callback is
/// running, and the partitions moved are ones nothing was dispatched from (no in-flight work, nothing to commit).</para>
/// </remarks>
internal sealed class FetchStartWatchdog(Func<IReadOnlyCollection<PartitionState>> owned, ConsumerCounters counters, string groupId, ILogger logger, TimeProvider? timeProvider = null)
{
    /// <summary>The wait before a partition that never received anything is assigned again, with no error seen.</summary>
    internal static readonly TimeSpan FirstWait = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait between two such assignments of one partition.</summary>
    internal static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(10);

    /// <summary>How often the watch looks (a partition's wait counts from the first look after its assignment).</summary>
    internal static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// librdkafka raises the error once for the request and once per partition of its answer, polled one by one:
    /// acting a moment later acts once for all of them.
    /// </summary>
    internal static readonly TimeSpan AfterErrorDelay = TimeSpan.FromMilliseconds(500);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly List<PartitionState> _stalled = [];
    private readonly HashSet<TopicPartition> _unassigned = [];
    private long _nextCheck;
    private bool _offsetFetchFailed;

    /// <summary>
    /// Looks at an error librdkafka raised: one saying the committed offsets could not be read makes
    /// <see cref="Check"/> act within half a second.
    /// </summary>
    /// <param name="error">The error.</param>
    public void OnError(Error error)
    {
        if (error.Reason?.StartsWith("Failed to fetch committed offset", StringComparison.Ordinal) == true)
        {
            _offsetFetchFailed = true;
            _nextCheck = Math.Min(_nextCheck, _time.GetTimestamp() + Ticks(AfterErrorDelay));
        }
    }

    /// <summary>Assigns again the partitions that are due; cheap when nothing is due (one timestamp read).</summary>
    /// <param name="consumer">The consumer.</param>
    public void Check(IConsumer<byte[]?, byte[]?> consumer)
    {
        var now = _time.GetTimestamp();
        if (now < _nextCheck)
        {
            return;
        }

        _nextCheck = now + Ticks(CheckInterval);
        var afterError = _offsetFetchFailed;
        _offsetFetchFailed = false;
        _stalled.Clear();
        if (_unassigned.Count > 0)
        {
            _unassigned.RemoveWhere(p => !owned().Any(s => s.TopicPartition == p)); // revoked or lost meanwhile: not ours to assign
        }

        foreach (var state in owned())
        {
            if (state.Dispatched > 0)
            {
                continue;
            }

            var watch = state.FetchStart ??= new FetchStartWatch(now, now + Ticks(FirstWait), FirstWait * 2);
            if (_unassigned.Contains(state.TopicPartition) || ((afterError || now >= watch.Due) && !HasPosition(consumer, state.TopicPartition)))
            {
                _stalled.Add(state);
            }
        }

        if (_stalled.Count == 0)
        {
            return;
        }

        var partitions = _stalled.ConvertAll(s => s.TopicPartition);
        var waited = _time.GetElapsedTime(_stalled.Min(s => s.FetchStart!.Since), now);
        if (!Reassign(consumer, partitions))
        {
            return;
        }

        foreach (var state in _stalled)
        {
            var watch = state.FetchStart!;
            state.FetchStart = watch with { Due = now + Ticks(watch.Wait), Wait = TimeSpan.FromTicks(Math.Min(watch.Wait.Ticks * 2, LongestWait.Ticks)) };
        }

        Interlocked.Add(ref counters.FetchRestarts, _stalled.Count);
        if (afterError)
        {
            Log.FetchRestartedAfterError(logger, groupId, partitions.Count, PartitionAssignments.Describe(partitions), waited.TotalSeconds);
        }
        else
        {
            Log.FetchRestarted(logger, groupId, partitions.Count, PartitionAssignments.Describe(partitions), waited.TotalSeconds);
        }
    }

    /// <summary>Assigns the partitions again: unassigns them (unless a refused assign left them unassigned), assigns them with no offset.</summary>
    private bool Reassign(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        var toUnassign = partitions.Where(p => !_unassigned.Contains(p)).ToList();
        try
        {
            if (toUnassign.Count > 0)
            {
                consumer.IncrementalUnassign(toUnassign);
            }
        }
        catch (KafkaException ex)
        {
            // Refused (the consumer is closing, or failed): nothing changed; the next error or check tries again.
            Log.FetchRestartFailed(logger, ex, groupId, PartitionAssignments.Describe(partitions), ex.Error.Reason);
            return false;
        }

        _unassigned.UnionWith(toUnassign);
        try
        {
            consumer.IncrementalAssign(partitions.ConvertAll(tp => new TopicPartitionOffset(tp, Offset.Unset)));
        }
        catch (KafkaException ex)
        {
            // Unassigned but not assigned again: the next check assigns them (without unassigning them first).
            Log.FetchRestartFailed(logger, ex, groupId, PartitionAssignments.Describe(partitions), ex.Error.Reason);
            _nextCheck = _time.GetTimestamp();
            return false;
        }

        _unassigned.ExceptWith(partitions);
        return true;
    }

    private static bool HasPosition(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition)
    {
        try
        {
            return consumer.Position(partition) != Offset.Unset;
        }
        catch (KafkaException)
        {
            return false;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
