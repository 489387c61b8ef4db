using System.Collections.Concurrent;
using Confluent.Kafka;
using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Tests.Consuming;

/// <summary>
/// A Confluent consumer without a broker, for driving the poll loop step by step: records and rebalances are
/// scripted, and — as librdkafka does — rebalance callbacks run inside <see cref="Consume(TimeSpan)"/> or
/// <see cref="Close"/>. Commits are recorded and can be refused.
/// </summary>
internal sealed class FakeConsumer : IConsumer<byte[]?, byte[]?>
{
    private readonly ConcurrentQueue<Func<FakeConsumer, ConsumeResult<byte[]?, byte[]?>?>> _script = new();
    private readonly ConcurrentQueue<ErrorCode> _commitErrors = new();
    private readonly SemaphoreSlim _stepAdded = new(0);
    private ConsumerClientHandlers? _handlers;
    private int _endOffsetQueries;

    /// <summary>Gets every successful commit, in order.</summary>
    public ConcurrentQueue<List<TopicPartitionOffset>> Commits { get; } = new();

    /// <summary>Gets every commit attempt, refused ones included.</summary>
    public ConcurrentQueue<List<TopicPartitionOffset>> CommitAttempts { get; } = new();

    /// <summary>Gets what happens while closing (a revoke, typically).</summary>
    public Action<FakeConsumer>? OnClose { get; set; }

    /// <summary>Gets a value indicating whether Close was called.</summary>
    public bool Closed { get; private set; }

    public List<TopicPartition> Assignment { get; } = [];

    public List<TopicPartition> Paused { get; } = [];

    public string MemberId => "fake-member";

    public List<string> Subscription { get; } = [];

    public IConsumerGroupMetadata ConsumerGroupMetadata => throw new NotSupportedException();

    public Handle Handle => throw new NotSupportedException();

    public string Name => "fake-consumer";

    /// <summary>The factory the consumer under test builds its client with.</summary>
    public ConsumerClientFactory Factory => handlers =>
    {
        _handlers = handlers;
        return this;
    };

    /// <summary>Queues a step of Consume: returns what the function returns (null for nothing).</summary>
    public FakeConsumer Then(Func<FakeConsumer, ConsumeResult<byte[]?, byte[]?>?> step)
    {
        _script.Enqueue(step);
        _stepAdded.Release();
        return this;
    }

    /// <summary>Queues records, one per Consume call.</summary>
    public FakeConsumer ThenRecords(string topic, int partition, long from, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var offset = from + i;
            Then(_ => Record(topic, partition, offset));
        }

        return this;
    }

    /// <summary>Refuses the next commits with these errors.</summary>
    public void RefuseCommits(params ErrorCode[] errors)
    {
        foreach (var error in errors)
        {
            _commitErrors.Enqueue(error);
        }
    }

    /// <summary>Assigns partitions through the consumer's callback (call inside a step).</summary>
    public void AssignPartitions(params TopicPartition[] partitions)
    {
        Assignment.AddRange(partitions);
        _handlers!.Assigned(this, [.. partitions]);
    }

    /// <summary>Revokes partitions through the consumer's callback (call inside a step, or OnClose).</summary>
    public void RevokePartitions(params TopicPartition[] partitions)
    {
        Assignment.RemoveAll(partitions.Contains);
        _handlers!.Revoked(this, [.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset))]);
    }

    public static ConsumeResult<byte[]?, byte[]?> Record(string topic, int partition, long offset, string? key = null) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(topic, partition, offset),
        Message = new Message<byte[]?, byte[]?>
        {
            Key = key is null ? null : System.Text.Encoding.UTF8.GetBytes(key),
            Value = System.Text.Encoding.UTF8.GetBytes(offset.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Timestamp = new Timestamp(DateTime.UtcNow),
            Headers = [],
        },
    };

    /// <summary>Called when a commit is refused (e.g. to script a revoke that the retry loop then serves).</summary>
    public Action<FakeConsumer>? OnCommitRefused { get; set; }

    public ConsumeResult<byte[]?, byte[]?>? Consume(TimeSpan timeout)
    {
        // An idle poll waits for the next scripted step, at most the timeout, like librdkafka's.
        if (_script.IsEmpty)
        {
            _stepAdded.Wait(timeout);
        }

        return _script.TryDequeue(out var step) ? step(this) : null;
    }

    public ConsumeResult<byte[]?, byte[]?>? Consume(int millisecondsTimeout) => Consume(TimeSpan.FromMilliseconds(millisecondsTimeout));

    public ConsumeResult<byte[]?, byte[]?>? Consume(CancellationToken cancellationToken = default) => Consume(TimeSpan.FromMilliseconds(100));

    public void Subscribe(IEnumerable<string> topics) => Subscription.AddRange(topics);

    public void Subscribe(string topic) => Subscription.Add(topic);

    public void Commit(IEnumerable<TopicPartitionOffset> offsets)
    {
        var list = offsets.ToList();
        CommitAttempts.Enqueue(list);
        if (_commitErrors.TryDequeue(out var error))
        {
            OnCommitRefused?.Invoke(this);
            throw new KafkaException(error);
        }

        Commits.Enqueue(list);
    }

    public void Pause(IEnumerable<TopicPartition> partitions) => Paused.AddRange(partitions.Where(p => !Paused.Contains(p)));

    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        var resumed = partitions.ToList();
        Paused.RemoveAll(resumed.Contains);
    }

    public void Close()
    {
        OnClose?.Invoke(this);
        Closed = true;
    }

    public void Dispose()
    {
    }

    public void Unsubscribe() => Subscription.Clear();

    public void Assign(TopicPartition partition) => throw new NotSupportedException();

    public void Assign(TopicPartitionOffset partition) => throw new NotSupportedException();

    public void Assign(IEnumerable<TopicPartitionOffset> partitions) => throw new NotSupportedException();

    public void Assign(IEnumerable<TopicPartition> partitions) => throw new NotSupportedException();

    /// <summary>Gets the positions Position reports (Offset.Unset for a partition not listed: no record consumed).</summary>
    public ConcurrentDictionary<TopicPartition, Offset> Positions { get; } = new();

    /// <summary>Gets the calls of IncrementalUnassign and IncrementalAssign made outside a rebalance, in order.</summary>
    public ConcurrentQueue<string> AssignmentCalls { get; } = new();

    /// <summary>Gets or sets an error IncrementalUnassign throws, once.</summary>
    public ErrorCode? RefuseNextUnassign { get; set; }

    /// <summary>Gets or sets an error IncrementalAssign throws, once.</summary>
    public ErrorCode? RefuseNextAssign { get; set; }

    public void IncrementalAssign(IEnumerable<TopicPartitionOffset> partitions)
    {
        if (RefuseNextAssign is { } error)
        {
            RefuseNextAssign = null;
            throw new KafkaException(error);
        }

        var list = partitions.ToList();
        Assignment.AddRange(list.Select(p => p.TopicPartition));
        AssignmentCalls.Enqueue("assign " + string.Join(",", list.Select(p => $"{p.Partition.Value}@{p.Offset.Value}")));
    }

    public void IncrementalAssign(IEnumerable<TopicPartition> partitions) => throw new NotSupportedException();

    public void IncrementalUnassign(IEnumerable<TopicPartition> partitions)
    {
        if (RefuseNextUnassign is { } error)
        {
            RefuseNextUnassign = null;
            throw new KafkaException(error);
        }

        var list = partitions.ToList();
        Assignment.RemoveAll(list.Contains);
        AssignmentCalls.Enqueue("unassign " + string.Join(",", list.Select(p => p.Partition.Value)));
    }

    public void Unassign() => throw new NotSupportedException();

    public void StoreOffset(ConsumeResult<byte[]?, byte[]?> result) => throw new NotSupportedException();

    public void StoreOffset(TopicPartitionOffset offset) => throw new NotSupportedException();

    public List<TopicPartitionOffset> Commit() => throw new NotSupportedException();

    public void Commit(ConsumeResult<byte[]?, byte[]?> result) => throw new NotSupportedException();

    public void Seek(TopicPartitionOffset tpo) => throw new NotSupportedException();

    public List<TopicPartitionOffset> Committed(TimeSpan timeout) => throw new NotSupportedException();

    public List<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout) => throw new NotSupportedException();

    public Offset Position(TopicPartition partition) => Positions.TryGetValue(partition, out var offset) ? offset : Offset.Unset;

    public List<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestampsToSearch, TimeSpan timeout) => throw new NotSupportedException();

    public WatermarkOffsets GetWatermarkOffsets(TopicPartition topicPartition) => throw new NotSupportedException();

    /// <summary>Gets the end offsets <see cref="QueryWatermarkOffsets"/> answers (a partition not in it: the call fails).</summary>
    public ConcurrentDictionary<TopicPartition, long> EndOffsets { get; } = new();

    /// <summary>Gets how many end-offset queries were made.</summary>
    public int EndOffsetQueries => Volatile.Read(ref _endOffsetQueries);

    public WatermarkOffsets QueryWatermarkOffsets(TopicPartition topicPartition, TimeSpan timeout)
    {
        Interlocked.Increment(ref _endOffsetQueries);
        return EndOffsets.TryGetValue(topicPartition, out var high)
            ? new WatermarkOffsets(0, high)
            : throw new KafkaException(new Error(ErrorCode.Local_TimedOut, "no answer"));
    }

    public int AddBrokers(string brokers) => throw new NotSupportedException();

    public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();
}
