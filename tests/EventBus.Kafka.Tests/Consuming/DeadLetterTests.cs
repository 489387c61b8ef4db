using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Tests.Consuming;

public sealed class DeadLetterTests
{
    [Fact]
    public void CreateHeaders_OriginalHeadersThenTheSpringHeaders_BinaryFieldsBigEndian_StackTraceCapped()
    {
        var record = FakeConsumer.Record("orders", 7, 1234567890123, key: "k");
        record.Message.Headers.Add("trace-me", "t-1"u8.ToArray());
        record.Message.Timestamp = new Timestamp(1_700_000_000_123, TimestampType.LogAppendTime);
        var error = new InvalidOperationException(new string('x', 20_000));

        var headers = DeadLetterRecord.CreateHeaders(record, error, "group-a"u8.ToArray());

        Assert.Equal("trace-me", headers[0].Key);
        Assert.Equal(typeof(InvalidOperationException).FullName, Text(headers, DeadLetterHeaderNames.ExceptionFqcn));
        Assert.Equal(error.Message, Text(headers, DeadLetterHeaderNames.ExceptionMessage));
        Assert.Equal(DeadLetterHeaderNames.MaxStackTraceBytes, headers.GetLastBytes(DeadLetterHeaderNames.ExceptionStackTrace).Length);
        Assert.Equal("orders", Text(headers, DeadLetterHeaderNames.OriginalTopic));
        Assert.Equal(7, BinaryPrimitives.ReadInt32BigEndian(headers.GetLastBytes(DeadLetterHeaderNames.OriginalPartition)));
        Assert.Equal(1234567890123, BinaryPrimitives.ReadInt64BigEndian(headers.GetLastBytes(DeadLetterHeaderNames.OriginalOffset)));
        Assert.Equal(1_700_000_000_123, BinaryPrimitives.ReadInt64BigEndian(headers.GetLastBytes(DeadLetterHeaderNames.OriginalTimestamp)));
        Assert.Equal("LogAppendTime", Text(headers, DeadLetterHeaderNames.OriginalTimestampType));
        Assert.Equal("group-a", Text(headers, DeadLetterHeaderNames.OriginalConsumerGroup));
    }

    [Fact]
    public async Task DeadLetterAsync_RetriesUntilThePublishSucceeds_ThenPublishesTheErrorEvent()
    {
        var published = new ConcurrentQueue<string>();
        var failures = 2;
        var counters = new ConsumerCounters();
        var publisher = Publisher((_, topic, _, _, _, _) =>
        {
            if (topic == "dlq" && failures-- > 0)
            {
                throw new EventPublishException("dlq", null, "id", ErrorCode.NotEnoughReplicas, "test", isRetriable: true);
            }

            published.Enqueue(topic);
            return Task.FromResult(new PublishResult(topic, 0, published.Count, DateTime.UtcNow, "id"u8.ToArray()));
        }, counters, errorsTopic: "errors");

        var done = await publisher.DeadLetterAsync(FakeConsumer.Record("in", 0, 5), new FormatException("bad"), attempts: 1, TestContext.Current.CancellationToken);

        Assert.True(done);
        Assert.Equal(["dlq", "errors"], published);
        Assert.Equal((1L, 2L), (counters.DeadLettered, counters.DeadLetterFailures));
    }

    [Fact]
    public async Task DeadLetterAsync_Cancelled_ReturnsFalse_DisposedProducer_StopsTheConsumerWithTheReason()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var failing = Publisher((_, _, _, _, _, ct) => Task.FromException<PublishResult>(new EventPublishException("x")), new ConsumerCounters());
        Assert.False(await failing.DeadLetterAsync(FakeConsumer.Record("in", 0, 1), new FormatException(), 1, cancelled.Token));

        var disposed = Publisher((_, _, _, _, _, _) => throw new ObjectDisposedException("EventProducer"), new ConsumerCounters());
        var error = await Assert.ThrowsAsync<EventConsumerException>(() => disposed.DeadLetterAsync(FakeConsumer.Record("in", 0, 1), new FormatException(), 1, CancellationToken.None));
        Assert.Contains("dead-letter producer was disposed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetterAsync_RefusedForItsSize_TriedAgainAtOnceWithACompactStackTrace()
    {
        var sizes = new List<int>();
        var publisher = Publisher((_, topic, _, _, headers, _) =>
        {
            sizes.Add(headers.GetLastBytes(DeadLetterHeaderNames.ExceptionStackTrace).Length);
            return sizes.Count == 1
                ? throw new EventPublishException(topic, null, "id", ErrorCode.MsgSizeTooLarge, "Message size too large", isRetriable: false)
                : Task.FromResult(new PublishResult(topic, 0, 0, DateTime.UtcNow, "id"u8.ToArray()));
        }, new ConsumerCounters());
        var error = new InvalidOperationException("out of stock" + Environment.NewLine + new string('x', 4_000));

        Assert.True(await publisher.DeadLetterAsync(FakeConsumer.Record("in", 0, 1), error, 1, TestContext.Current.CancellationToken));

        Assert.Equal(2, sizes.Count);
        Assert.True(sizes[0] > DeadLetterRecord.CompactStackTraceBytes, "the first try carries the full stack trace");
        Assert.InRange(sizes[1], 1, DeadLetterRecord.CompactStackTraceBytes);
    }

    private static DeadLetterPublisher Publisher(RawPublish publish, ConsumerCounters counters, string? errorsTopic = null) =>
        new(publish, "svc", "group", "dlq", errorsTopic, new RetryPolicy(new EventConsumerOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(5) }), counters, NullLogger.Instance);

    private static string Text(Headers headers, string name) => Encoding.UTF8.GetString(headers.GetLastBytes(name));
}
