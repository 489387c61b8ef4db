using System.Collections.Concurrent;
using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Tests.Consuming;

public sealed class RecordProcessingTests
{
    [Fact]
    public async Task ProcessAsync_HandlerFails_RetriedThenDeadLettered_CompletionDone()
    {
        var parts = new Parts(maxRetries: 2);
        var attempts = new ConcurrentQueue<int>();
        var state = new PartitionState(new TopicPartition("in", 0), ConsumerParts.Route("in", ctx =>
        {
            attempts.Enqueue(ctx.Attempt);
            throw new InvalidOperationException("always");
        }), 1);
        ConsumerParts.Dispatched(state, 0, 1);

        await parts.Records.ProcessAsync(state, FakeConsumer.Record("in", 0, 0));
        parts.Completions.Drain();

        Assert.Equal([1, 2, 3], attempts);
        Assert.Equal(["dlq"], parts.Published);
        Assert.Equal(1, state.Tracker.Committable);
        Assert.Equal((1L, 3L, 2L, 1L), (parts.Counters.RecordsFailed, parts.Counters.AttemptsFailed, parts.Counters.AttemptsRetried, parts.Counters.DeadLettered));
    }

    [Fact]
    public async Task ProcessAsync_SomethingEscapesThePolicy_FaultsTheConsumer_CompletionStillPosted()
    {
        var parts = new Parts(maxRetries: 0, publish: (_, _, _, _, _, _) => throw new InvalidCastException("a bug in a dependency"));
        var state = new PartitionState(new TopicPartition("in", 0), ConsumerParts.Route("in", _ => throw new FormatException()), 1);
        ConsumerParts.Dispatched(state, 0, 1);

        await parts.Records.ProcessAsync(state, FakeConsumer.Record("in", 0, 0));
        parts.Completions.Drain();

        var error = Assert.IsType<EventConsumerException>(parts.Lifetime.FatalError);
        Assert.IsType<InvalidCastException>(error.InnerException);
        Assert.Contains("in[0]@0", error.Message, StringComparison.Ordinal);
        Assert.Equal((0L, -1L), (state.InFlight, state.Tracker.Committable)); // completed, not committable
    }

    [Fact]
    public async Task ProcessAsync_StopRequested_RecordNotStarted_CompletionNotDone()
    {
        var parts = new Parts(maxRetries: 0);
        var handled = 0;
        var state = new PartitionState(new TopicPartition("in", 0), ConsumerParts.Route("in", _ =>
        {
            handled++;
            return Task.CompletedTask;
        }), 1);
        ConsumerParts.Dispatched(state, 0, 1);
        parts.Lifetime.RequestStop();

        await parts.Records.ProcessAsync(state, FakeConsumer.Record("in", 0, 0));
        parts.Completions.Drain();

        Assert.Equal(0, handled);
        Assert.Equal((0L, -1L), (state.InFlight, state.Tracker.Committable));
    }

    [Fact]
    public void LaneOf_SameKeySameLane_KeysSpreadOverLanes_NullKeyFirstLane()
    {
        var key = "order-42"u8.ToArray();
        Assert.Equal(RecordDispatcher.LaneOf(key, 8), RecordDispatcher.LaneOf([.. key], 8));
        Assert.Equal(0, RecordDispatcher.LaneOf(null, 8));
        var lanes = Enumerable.Range(0, 1_000).Select(i => RecordDispatcher.LaneOf(System.Text.Encoding.UTF8.GetBytes("key-" + i), 8)).ToHashSet();
        Assert.Equal(8, lanes.Count);
    }

    [Fact]
    public async Task CallContext_InsideAHandlersFlow_IsInside_OutsideIsNot()
    {
        var context = new ConsumerCallContext();
        Assert.False(context.IsInsideConsumer);
        var inside = await Task.Run(async () =>
        {
            context.EnterHandlers();
            return await Task.Run(() => context.IsInsideConsumer); // flows into what the handler starts
        }, TestContext.Current.CancellationToken);
        Assert.True(inside);
        Assert.False(context.IsInsideConsumer);
    }

    private sealed class Parts
    {
        public Parts(int maxRetries, RawPublish? publish = null)
        {
            var options = new EventConsumerOptions { MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(2) };
            var retry = new RetryPolicy(options);
            Counters.InFlight = 1;
            Completions = new CompletionQueue(ConsumerParts.Committer(new FakeConsumer()), Counters);
            var deadLetters = new DeadLetterPublisher(publish ?? ((_, topic, _, _, _, _) =>
            {
                Published.Enqueue(topic);
                return Task.FromResult(new PublishResult(topic, 0, 0, DateTime.UtcNow, "id"u8.ToArray()));
            }), "svc", "g", "dlq", null, retry, Counters, NullLogger.Instance);
            Records = new RecordProcessor(new SemaphoreSlim(1, 1), retry, deadLetters, Completions, Lifetime, Counters, NullLogger.Instance);
        }

        public ConsumerCounters Counters { get; } = new();

        public ConsumerLifetime Lifetime { get; } = new();

        public ConcurrentQueue<string> Published { get; } = new();

        public CompletionQueue Completions { get; }

        public RecordProcessor Records { get; }
    }
}
