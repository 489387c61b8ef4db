using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// Fetches again partitions whose fetch librdkafka stopped: an owned partition, not paused, that has received nothing for
/// a while although the broker holds records beyond its position. Seen on Kafka 2.4 when a broker's controlled shutdown
/// moved a partition's leader epoch while its leader stayed the same: the member kept the partition, heartbeated, and
/// received nothing from it for minutes (its position stayed at the offset the new epoch started from).
/// </summary>
/// <remarks>
/// <para>A partition that received nothing for <see cref="QuietFor"/> is looked at: its end offset is asked of its
/// leader (ListOffsets, off the poll thread). When the broker holds records beyond the position and the partition still
/// has received nothing at the next check, it is assigned again at its position (unassigned, then assigned with that
/// offset), which starts librdkafka's fetch for it anew: nothing is skipped or read twice. An idle partition (nothing
/// beyond its position) is looked at again after twice the wait each time, up to <see cref="LongestWait"/>: one small
/// request per idle partition and wait.</para>
/// <para>Poll thread only, between polls (the query runs on the thread pool): no rebalance callback is running.</para>
/// </remarks>
internal sealed class FetchStallWatchdog(
    Func<IReadOnlyCollection<PartitionState>> owned,
    Func<bool> allPaused,
    ConsumerCounters counters,
    string groupId,
    ILogger logger,
    TimeProvider? timeProvider = null,
    Func<Func<long[]>, Task<long[]>>? runQuery = null)
{
    /// <summary>How long a partition receives nothing before its end offset is asked.</summary>
    internal static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two looks at an idle partition.</summary>
    internal static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(5);

    /// <summary>How often the watchdog looks.</summary>
    internal static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long one end-offset query may take.</summary>
    internal static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Func<Func<long[]>, Task<long[]>> _runQuery = runQuery ?? (static q => Task.Run(q));
    private readonly Dictionary<TopicPartition, Watch> _watches = [];
    private readonly Dictionary<TopicPartition, Offset> _unassigned = [];
    private long _nextCheck;
    private Task<long[]>? _query;
    private List<(PartitionState State, long Position, long Dispatched)> _queried = [];

    /// <summary>Looks at the partitions when a check is due; cheap otherwise (one timestamp read).</summary>
    /// <param name="consumer">The consumer.</param>
    public void Check(IConsumer<byte[]?, byte[]?> consumer)
    {
        var now = _time.GetTimestamp();
        if (now < _nextCheck)
        {
            return;
        }

        _nextCheck = now + Ticks(CheckInterval);
        var states = owned();
        if (_unassigned.Count > 0)
        {
            AssignAgain(consumer, states);
        }

        _watches.Keys.Where(p => !states.Any(s => s.TopicPartition == p)).ToList().ForEach(p => _watches.Remove(p));
        var paused = allPaused();
        foreach (var state in states)
        {
            if (!_watches.TryGetValue(state.TopicPartition, out var watch) || watch.Dispatched != state.Dispatched || state.Paused || paused)
            {
                // New, receiving, or paused on purpose: quiet from now on, if at all.
                _watches[state.TopicPartition] = new Watch(state.Dispatched, now + Ticks(QuietFor), QuietFor, now);
            }
        }

        if (_query is { IsCompleted: true } done)
        {
            _query = null;
            OnAnswered(consumer, done, now);
        }

        if (_query is null)
        {
            StartQuery(consumer, states, now);
        }
    }

    /// <summary>Waits for a query in flight (at most its timeout), so that the consumer is not closed under it.</summary>
    public void Stop()
    {
        try
        {
            _query?.Wait(QueryTimeout + QueryTimeout);
        }
        catch (AggregateException)
        {
            // Its failure only means no answer.
        }
    }

    private void StartQuery(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyCollection<PartitionState> states, long now)
    {
        _queried = [];
        foreach (var state in states)
        {
            if (state.Revoked || state.Removed || now < _watches[state.TopicPartition].Due || _unassigned.ContainsKey(state.TopicPartition))
            {
                continue;
            }

            var position = Position(consumer, state.TopicPartition);
            if (position >= 0)
            {
                _queried.Add((state, position, state.Dispatched));
            }
        }

        if (_queried.Count == 0)
        {
            return;
        }

        var partitions = _queried.ConvertAll(q => q.State.TopicPartition);
        _query = _runQuery(() => partitions.Select(p => High(consumer, p)).ToArray());
    }

    private void OnAnswered(IConsumer<byte[]?, byte[]?> consumer, Task<long[]> answer, long now)
    {
        var highs = answer.IsCompletedSuccessfully ? answer.Result : new long[_queried.Count];
        var stalled = new List<TopicPartitionOffset>();
        var quietSince = long.MaxValue;
        for (var i = 0; i < _queried.Count; i++)
        {
            var (state, position, dispatched) = _queried[i];
            if (!_watches.TryGetValue(state.TopicPartition, out var watch) || watch.Dispatched != dispatched || state.Revoked || state.Removed)
            {
                continue; // received meanwhile, paused, or no longer ours
            }

            if (highs[i] > position && Position(consumer, state.TopicPartition) == position)
            {
                stalled.Add(new TopicPartitionOffset(state.TopicPartition, position));
                quietSince = Math.Min(quietSince, watch.QuietSince);
                _watches[state.TopicPartition] = new Watch(dispatched, now + Ticks(QuietFor), QuietFor, now);
            }
            else
            {
                // Idle (nothing beyond the position), or no answer: look again later, less often each time.
                var wait = TimeSpan.FromTicks(Math.Min(watch.Wait.Ticks * 2, LongestWait.Ticks));
                _watches[state.TopicPartition] = watch with { Due = now + Ticks(wait), Wait = wait };
            }
        }

        if (stalled.Count == 0)
        {
            return;
        }

        var described = PartitionAssignments.Describe(stalled.ConvertAll(p => p.TopicPartition));
        try
        {
            consumer.IncrementalUnassign(stalled.ConvertAll(p => p.TopicPartition));
        }
        catch (KafkaException ex)
        {
            Log.FetchRestartFailed(logger, ex, groupId, described, ex.Error.Reason);
            return;
        }

        stalled.ForEach(p => _unassigned[p.TopicPartition] = p.Offset);
        Interlocked.Add(ref counters.FetchRestarts, stalled.Count);
        Log.FetchStalled(logger, groupId, stalled.Count, described, _time.GetElapsedTime(quietSince, now).TotalSeconds);
        AssignAgain(consumer, owned());
    }

    /// <summary>Assigns the unassigned partitions at their positions; a refused assign is tried again at the next check.</summary>
    private void AssignAgain(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyCollection<PartitionState> states)
    {
        foreach (var partition in _unassigned.Keys.Where(p => !states.Any(s => s.TopicPartition == p && !s.Revoked)).ToList())
        {
            _unassigned.Remove(partition); // revoked or lost meanwhile: not ours to assign
        }

        if (_unassigned.Count == 0)
        {
            return;
        }

        var partitions = _unassigned.Select(p => new TopicPartitionOffset(p.Key, p.Value)).ToList();
        try
        {
            consumer.IncrementalAssign(partitions);
            _unassigned.Clear();
        }
        catch (KafkaException ex)
        {
            Log.FetchRestartFailed(logger, ex, groupId, PartitionAssignments.Describe(partitions.ConvertAll(p => p.TopicPartition)), ex.Error.Reason);
        }
    }

    private static long Position(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition)
    {
        try
        {
            return consumer.Position(partition).Value;
        }
        catch (KafkaException)
        {
            return Offset.Unset.Value;
        }
    }

    private static long High(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition)
    {
        try
        {
            return consumer.QueryWatermarkOffsets(partition, QueryTimeout).High.Value;
        }
        catch (KafkaException)
        {
            return -1; // no answer (the leader is down, say): nothing known
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>What the watchdog keeps of one owned partition.</summary>
    /// <param name="Dispatched">Its dispatched count when last seen changing.</param>
    /// <param name="Due">When it is looked at, if it receives nothing until then.</param>
    /// <param name="Wait">The wait that led to <paramref name="Due"/>.</param>
    /// <param name="QuietSince">Since when it has received nothing.</param>
    private sealed record Watch(long Dispatched, long Due, TimeSpan Wait, long QuietSince);
}
