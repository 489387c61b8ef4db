using System.Collections.Concurrent;
using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Tests.Consuming;

/// <summary>A record processor and a batch processor with a recording dead-letter publish, for tests of the input rules.</summary>
internal sealed class ProcessorParts
{
    public ProcessorParts(int maxRetries = 0)
    {
        var options = new EventConsumerOptions { MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(2) };
        var retry = new RetryPolicy(options);
        Completions = new CompletionQueue(ConsumerParts.Committer(new FakeConsumer()), Counters);
        var deadLetters = new DeadLetterPublisher((_, topic, _, _, headers, _) =>
        {
            DeadLettered.Enqueue(headers);
            return Task.FromResult(new PublishResult(topic, 0, DeadLettered.Count - 1, DateTime.UtcNow, "id"u8.ToArray()));
        }, "svc", "g", "dlq", null, retry, Counters, NullLogger.Instance);
        Records = new RecordProcessor(new SemaphoreSlim(1, 1), retry, deadLetters, Completions, Lifetime, Counters, NullLogger.Instance);
        Batches = new BatchProcessor(new SemaphoreSlim(1, 1), retry, deadLetters, Completions, Lifetime, Counters, NullLogger.Instance);
    }

    public ConsumerCounters Counters { get; } = new();

    public ConsumerLifetime Lifetime { get; } = new();

    /// <summary>Gets the headers of each dead-lettered record, in order.</summary>
    public ConcurrentQueue<Headers> DeadLettered { get; } = new();

    public CompletionQueue Completions { get; }

    public RecordProcessor Records { get; }

    public BatchProcessor Batches { get; }

    /// <summary>A record with the given value (null for a tombstone) and key bytes.</summary>
    public static ConsumeResult<byte[]?, byte[]?> Record(long offset, byte[]? value, byte[]? key = null, Headers? headers = null) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset("in", 0, offset),
        Message = new Message<byte[]?, byte[]?> { Key = key, Value = value, Timestamp = new Timestamp(DateTime.UtcNow), Headers = headers },
    };

    /// <summary>Runs each record through the record processor of a partition with this route, in order; returns the committable offset.</summary>
    public async Task<long> ProcessAsync(ConsumerRoute route, params ConsumeResult<byte[]?, byte[]?>[] records)
    {
        var state = new PartitionState(new TopicPartition("in", 0), route, 1);
        foreach (var record in records)
        {
            state.Tracker.Add(record.Offset.Value);
            state.Dispatched++;
            Interlocked.Increment(ref Counters.InFlight);
            await Records.ProcessAsync(state, record);
        }

        Completions.Drain();
        return state.Tracker.Committable;
    }

    /// <summary>Runs the records through the batch processor as one batch; returns the committable offset.</summary>
    public async Task<long> ProcessBatchAsync(ConsumerRoute route, params ConsumeResult<byte[]?, byte[]?>[] records)
    {
        var state = new PartitionState(new TopicPartition("in", 0), route, 1);
        var lane = state.Lanes[0];
        foreach (var record in records)
        {
            state.Tracker.Add(record.Offset.Value);
            state.Dispatched++;
            Interlocked.Increment(ref Counters.InFlight);
        }

        foreach (var record in records.Skip(1))
        {
            lane.Queue.Enqueue(record);
        }

        await Batches.ProcessAsync(lane, records[0]);
        Completions.Drain();
        return state.Tracker.Committable;
    }
}
