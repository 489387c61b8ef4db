using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// The partitions the consumer owns, and the incremental (cooperative) rebalance: assigned partitions get their
/// state and lanes; revoked ones stop dispatching, their in-flight work is awaited (bounded) and committed; lost ones
/// are dropped without committing. The service's partition callbacks run last and may not break any of it.
/// Poll thread only (librdkafka serves rebalances inside Consume, or inside Close).
/// </summary>
internal sealed class PartitionAssignments(
    IReadOnlyDictionary<string, ConsumerRoute> routes,
    EventConsumerOptions options,
    string groupId,
    RecordDispatcher dispatcher,
    CompletionQueue completions,
    OffsetCommitter committer,
    BackPressure backPressure,
    ConsumerLifetime lifetime,
    ConsumerCounters counters,
    ILogger logger,
    EventBus.Kafka.Diagnostics.ConsumerTelemetry? telemetry = null,
    ExactlyOnce.TransactionCoordinator? transactions = null)
{
    private readonly Dictionary<TopicPartition, PartitionState> _partitions = [];

    /// <summary>Gets the partitions owned now.</summary>
    public IReadOnlyCollection<PartitionState> Owned => _partitions.Values;

    /// <summary>Gets the state of an owned partition.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="state">Its state.</param>
    /// <returns>Whether it is owned.</returns>
    public bool TryGet(TopicPartition partition, out PartitionState state) => _partitions.TryGetValue(partition, out state!);

    /// <summary>Partitions were added to the assignment.</summary>
    /// <param name="consumer">The consumer.</param>
    /// <param name="partitions">The partitions.</param>
    public void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        var lanes = options.Ordering == OrderingMode.Key ? options.MaxConcurrency : 1;
        foreach (var tp in partitions)
        {
            if (routes.TryGetValue(tp.Topic, out var route))
            {
                _partitions[tp] = new PartitionState(tp, route, lanes);
            }
        }

        // Exactly-once: before the consumer reads the committed offsets (after this callback), fence the previous owner.
        transactions?.OnAssigned(consumer, partitions.Where(tp => routes.ContainsKey(tp.Topic)).ToList());
        Interlocked.Increment(ref counters.Rebalances);
        telemetry?.Rebalanced("assigned");
        Volatile.Write(ref counters.AssignedPartitions, _partitions.Count);
        backPressure.OnAssignmentChanged(_partitions.Count, added: true);
        Log.Assigned(logger, groupId, partitions.Count, Describe(partitions));
        InvokeCallback(options.PartitionsAssigned, partitions, nameof(EventConsumerOptions.PartitionsAssigned));
    }

    /// <summary>Partitions were revoked: wait for their in-flight work (bounded), commit it, let them go.</summary>
    /// <param name="consumer">The consumer.</param>
    /// <param name="revoked">The partitions.</param>
    public void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> revoked)
    {
        // Records of this poll's burst may sit in lanes not started yet: start them (once the partitions are marked
        // revoked, so those records are dropped, not handled), or the wait below would wait for nothing.
        var states = Take(revoked.Select(r => r.TopicPartition));
        states.ForEach(s => s.Revoked = true);
        var committed = true;
        dispatcher.StartLanes();
        if (!lifetime.IsKilled)
        {
            // While stopping, the drain already waited (and cancelled what ran too long): do not wait again.
            var drained = completions.WaitForInFlight(states, lifetime.IsDraining ? TimeSpan.Zero : options.RevokeTimeout);
            committer.Commit(states);
            committed = !committer.IsOwed;
            if (!drained)
            {
                Log.RevokeTimedOut(logger, options.RevokeTimeout.TotalSeconds, states.Sum(s => s.InFlight));
            }
        }

        Release(consumer, states);
        transactions?.OnRemoved(states.Select(s => s.TopicPartition));
        Interlocked.Increment(ref counters.Rebalances);
        telemetry?.Rebalanced("revoked");
        if (committed)
        {
            Log.Revoked(logger, groupId, revoked.Count, Describe(revoked.Select(r => r.TopicPartition)));
        }
        else
        {
            Log.RevokedUncommitted(logger, groupId, revoked.Count, Describe(revoked.Select(r => r.TopicPartition)));
        }

        InvokeCallback(options.PartitionsRevoked, revoked.Select(r => r.TopicPartition).ToList(), nameof(EventConsumerOptions.PartitionsRevoked));
    }

    /// <summary>Partitions were lost (another member may own them already): drop them without committing.</summary>
    /// <param name="consumer">The consumer.</param>
    /// <param name="lost">The partitions.</param>
    public void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> lost)
    {
        var states = Take(lost.Select(r => r.TopicPartition));
        states.ForEach(s => s.Revoked = true);
        dispatcher.StartLanes();
        Release(consumer, states);
        transactions?.OnRemoved(states.Select(s => s.TopicPartition));
        Interlocked.Increment(ref counters.Rebalances);
        telemetry?.Rebalanced("lost");
        Log.Lost(logger, groupId, lost.Count, Describe(lost.Select(r => r.TopicPartition)));
        InvokeCallback(options.PartitionsLost, lost.Select(r => r.TopicPartition).ToList(), nameof(EventConsumerOptions.PartitionsLost));
    }

    /// <summary>
    /// Starts an owned partition over at <paramref name="offset"/> (exactly-once mode, after its transaction did not
    /// commit): its in-flight work is cancelled and ignored, a fresh state replaces it, fetching seeks back.
    /// </summary>
    /// <param name="consumer">The consumer.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The offset to read from.</param>
    /// <returns>False when the partition is not owned (nothing to do).</returns>
    public bool Restart(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, long offset)
    {
        if (!_partitions.TryGetValue(partition, out var old))
        {
            return false;
        }

        old.Revoked = true;
        dispatcher.StartLanes();
        Release(consumer, [old]);
        _partitions[partition] = new PartitionState(partition, old.Route, old.Lanes.Length);
        consumer.Seek(new TopicPartitionOffset(partition, offset));
        return true;
    }

    /// <summary>Cancels the handlers of every owned partition (a stop that ran out of time, or a kill).</summary>
    public void CancelAll()
    {
        foreach (var state in _partitions.Values)
        {
            CancelHandlers(state);
        }
    }

    /// <summary>Marks every owned partition removed: late completions are ignored from now on.</summary>
    public void RemoveAll()
    {
        foreach (var state in _partitions.Values)
        {
            state.Removed = true;
        }
    }

    /// <summary>Names partitions for a log line: <c>topic[0],topic[1]</c>.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <returns>The names.</returns>
    internal static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(",", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));

    private List<PartitionState> Take(IEnumerable<TopicPartition> partitions)
    {
        var states = new List<PartitionState>();
        foreach (var tp in partitions)
        {
            if (_partitions.Remove(tp, out var state))
            {
                states.Add(state);
            }
        }

        Volatile.Write(ref counters.AssignedPartitions, _partitions.Count);
        backPressure.OnAssignmentChanged(_partitions.Count, added: false);
        return states;
    }

    /// <summary>Cancels what still runs on the partitions and ignores their late completions.</summary>
    private void Release(IConsumer<byte[]?, byte[]?> consumer, List<PartitionState> states)
    {
        completions.Drain();
        backPressure.Release(consumer, states);
        foreach (var state in states)
        {
            // The token source is never disposed: a lane may still read its token (it is linked to nothing, so
            // leaving it to the GC leaks nothing).
            CancelHandlers(state);
            state.Removed = true;
        }
    }

    /// <summary>
    /// Cancels the handlers of a partition. Callbacks registered on their token run on the thread pool, not on the
    /// calling (poll) thread: one that throws or blocks cannot stop the consumer.
    /// </summary>
    private void CancelHandlers(PartitionState state) =>
        _ = state.Cancellation.CancelAsync().ContinueWith(
            static (t, l) => Log.CancellationCallbackFailed((ILogger)l!, t.Exception!),
            logger, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Calls a service's partition callback; what it throws is logged, never allowed to stop the consumer.</summary>
    private void InvokeCallback(Action<IReadOnlyList<TopicPartition>>? callback, List<TopicPartition> partitions, string name)
    {
        try
        {
            callback?.Invoke(partitions);
        }
#pragma warning disable CA1031 // A service's callback may throw anything; the consumer must keep its assignment consistent.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CallbackFailed(logger, ex, name, groupId);
        }
    }
}
