using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Serialization;

namespace EventBus.Kafka.Tests.Consuming;

/// <summary>The typed contract and the null rule, record by record (README, Consuming, "What a handler receives").</summary>
public sealed class ConsumerInputTests
{
    private static readonly IEventSerializer Json = JsonEventSerializer.CreateDefault();

    [Theory]
    [InlineData("{\"somethingElse\":true}", "missing required properties")]
    [InlineData("{\"orderId\":null,\"amount\":5}", "doesn't allow null")]
    [InlineData("{\"orderId\":\"o-1\"}", "missing required")]
    [InlineData("{\"orderId\":\"o-1\",\"amount\":\"lots\"}", "could not be converted")]
    [InlineData("", "")]
    [InlineData("not json", "")]
    public async Task ValueThatDoesNotFitT_DeadLetteredWithoutRetries_NeverHandled(string value, string reason)
    {
        var parts = new ProcessorParts(maxRetries: 3);
        var handled = 0;
        var route = new SingleRoute<Order>("in", (_, _) =>
        {
            handled++;
            return Task.CompletedTask;
        }, Json, null);

        var committable = await parts.ProcessAsync(route, ProcessorParts.Record(0, Encoding.UTF8.GetBytes(value)));

        Assert.Equal(0, handled);
        Assert.Equal(1, committable);
        var headers = Assert.Single(parts.DeadLettered);
        Assert.Equal(typeof(JsonException).FullName, Header(headers, DeadLetterHeaderNames.ExceptionFqcn));
        Assert.Contains(reason, Header(headers, DeadLetterHeaderNames.ExceptionMessage), StringComparison.OrdinalIgnoreCase);
        Assert.Equal((1L, 0L, 0L, 1L), (parts.Counters.RecordsFailed, parts.Counters.AttemptsFailed, parts.Counters.AttemptsRetried, parts.Counters.DeadLettered));
    }

    [Fact]
    public async Task ValueThatFitsT_HandledWithTheExactObject()
    {
        var parts = new ProcessorParts();
        var seen = new ConcurrentQueue<Order>();
        var route = new SingleRoute<Order>("in", (ctx, _) =>
        {
            seen.Enqueue(ctx.Message);
            return Task.CompletedTask;
        }, Json, null);

        await parts.ProcessAsync(route, ProcessorParts.Record(0, "{\"orderId\":\"o-1\",\"amount\":12.5,\"extra\":[1,2]}"u8.ToArray()));

        Assert.Equal([new Order("o-1", 12.5m)], seen);
        Assert.Equal(1, parts.Counters.RecordsProcessed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("null")]
    [InlineData(" \r\n null \t")]
    public async Task NullMessage_NonNullableHandler_SkippedCountedCommitted(string? value)
    {
        var parts = new ProcessorParts();
        var handled = 0;
        var reference = new SingleRoute<Order>("in", (_, _) =>
        {
            handled++;
            return Task.CompletedTask;
        }, Json, null);
        var valueType = new SingleRoute<int>("in", (_, _) =>
        {
            handled++;
            return Task.CompletedTask;
        }, Json, null);
        var bytes = value is null ? null : Encoding.UTF8.GetBytes(value);

        Assert.Equal(1, await parts.ProcessAsync(reference, ProcessorParts.Record(0, bytes)));
        Assert.Equal(1, await parts.ProcessAsync(valueType, ProcessorParts.Record(0, bytes)));

        Assert.Equal(0, handled);
        Assert.Empty(parts.DeadLettered);
        Assert.Equal((2L, 0L, 0L), (parts.Counters.NullRecordsSkipped, parts.Counters.RecordsFailed, parts.Counters.RecordsProcessed));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("null")]
    public async Task NullMessage_HandlerOptedIn_ReceivesNull(string? value)
    {
        var parts = new ProcessorParts();
        var messages = new ConcurrentQueue<object?>();
        var bytes = value is null ? null : Encoding.UTF8.GetBytes(value);
        var reference = new SingleRoute<Order>("in", (ctx, _) =>
        {
            messages.Enqueue(ctx.Message);
            return Task.CompletedTask;
        }, Json, null, nullableOptIn: true);
        var nullableValue = new SingleRoute<int?>("in", (ctx, _) =>
        {
            messages.Enqueue(ctx.Message);
            return Task.CompletedTask;
        }, Json, null);

        await parts.ProcessAsync(reference, ProcessorParts.Record(0, bytes));
        await parts.ProcessAsync(nullableValue, ProcessorParts.Record(0, bytes));
        await parts.ProcessAsync(nullableValue, ProcessorParts.Record(1, "7"u8.ToArray()));

        Assert.Equal([null, null, 7], messages);
        Assert.Equal((0L, 3L), (parts.Counters.NullRecordsSkipped, parts.Counters.RecordsProcessed));
    }

    [Fact]
    public async Task RawHandlers_TombstoneSkipped_ValuesAsWritten_InvalidUtf8TextDeadLettered()
    {
        var parts = new ProcessorParts();
        var bytes = new ConcurrentQueue<byte[]>();
        var texts = new ConcurrentQueue<string>();
        var raw = new SingleRoute<byte[]>("in", (ctx, _) =>
        {
            bytes.Enqueue(ctx.Message);
            return Task.CompletedTask;
        }, Json, null);
        var text = new SingleRoute<string>("in", (ctx, _) =>
        {
            texts.Enqueue(ctx.Message);
            return Task.CompletedTask;
        }, Json, null);
        byte[] binary = [0xff, 0x00, 0xc3, 0x28];

        await parts.ProcessAsync(raw, ProcessorParts.Record(0, null), ProcessorParts.Record(1, binary), ProcessorParts.Record(2, []), ProcessorParts.Record(3, "null"u8.ToArray()));
        await parts.ProcessAsync(text, ProcessorParts.Record(0, null), ProcessorParts.Record(1, binary), ProcessorParts.Record(2, []), ProcessorParts.Record(3, "null"u8.ToArray()));

        Assert.Equal([binary, [], "null"u8.ToArray()], bytes);
        Assert.Equal(["", "null"], texts);
        var dead = Assert.Single(parts.DeadLettered);
        Assert.Equal(typeof(DecoderFallbackException).FullName, Header(dead, DeadLetterHeaderNames.ExceptionFqcn));
        Assert.Equal((2L, 1L), (parts.Counters.NullRecordsSkipped, parts.Counters.RecordsFailed));
    }

    [Fact]
    public async Task Batch_NullAndUndeserializableLeaveTheBatch_RestHandledTogether_AllCommitted()
    {
        var parts = new ProcessorParts();
        var batches = new ConcurrentQueue<List<string>>();
        var route = new BatchRoute<Order>("in", (batch, _) =>
        {
            batches.Enqueue(batch.Select(c => c.Message.OrderId).ToList());
            return Task.CompletedTask;
        }, 10, TimeSpan.Zero, Json, null);

        var committable = await parts.ProcessBatchAsync(route,
            ProcessorParts.Record(0, "{\"orderId\":\"a\",\"amount\":1}"u8.ToArray()),
            ProcessorParts.Record(1, null),
            ProcessorParts.Record(2, "{\"somethingElse\":true}"u8.ToArray()),
            ProcessorParts.Record(3, "null"u8.ToArray()),
            ProcessorParts.Record(4, "{\"orderId\":\"b\",\"amount\":2}"u8.ToArray()));

        Assert.Equal(["a", "b"], Assert.Single(batches));
        Assert.Equal(5, committable);
        Assert.Equal((2L, 2L, 1L, 1L), (parts.Counters.RecordsProcessed, parts.Counters.NullRecordsSkipped, parts.Counters.RecordsFailed, parts.Counters.DeadLettered));
    }

    [Fact]
    public async Task Batch_OptedIn_NullsStayInTheBatch()
    {
        var parts = new ProcessorParts();
        var batches = new ConcurrentQueue<List<string?>>();
        var route = new BatchRoute<Order>("in", (batch, _) =>
        {
            batches.Enqueue(batch.Select(c => c.Message?.OrderId).ToList());
            return Task.CompletedTask;
        }, 10, TimeSpan.Zero, Json, null, nullableOptIn: true);

        await parts.ProcessBatchAsync(route, ProcessorParts.Record(0, null), ProcessorParts.Record(1, "{\"orderId\":\"a\",\"amount\":1}"u8.ToArray()));

        Assert.Equal([null, "a"], Assert.Single(batches));
        Assert.Equal(0, parts.Counters.NullRecordsSkipped);
    }

    [Fact]
    public async Task Statistics_CountRecordsAndAttemptsApart()
    {
        // The case: undeserializable records and one record whose handler fails three times (2 retries).
        var parts = new ProcessorParts(maxRetries: 2);
        var route = new SingleRoute<Order>("in", (ctx, _) => ctx.Message.Amount < 0 ? throw new InvalidOperationException("negative") : Task.CompletedTask, Json, null);
        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        for (var i = 0; i < 5; i++)
        {
            records.Add(ProcessorParts.Record(i, "{\"wrong\":1}"u8.ToArray()));
        }

        records.Add(ProcessorParts.Record(5, "{\"orderId\":\"x\",\"amount\":-1}"u8.ToArray()));
        records.Add(ProcessorParts.Record(6, "{\"orderId\":\"y\",\"amount\":1}"u8.ToArray()));

        Assert.Equal(7, await parts.ProcessAsync(route, [.. records]));

        var statistics = parts.Counters.Snapshot(EventConsumerState.Running);
        Assert.Equal(6, statistics.RecordsFailed);
        Assert.Equal(3, statistics.AttemptsFailed);
        Assert.Equal(2, statistics.AttemptsRetried);
        Assert.Equal(6, statistics.RecordsDeadLettered);
        Assert.Equal(1, statistics.RecordsProcessed);
    }

    [Fact]
    public void Context_NonUtf8KeyAndHeaders_NeverShownAsReplacementText()
    {
        byte[] key = [0xfe, 0xff, 0x41];
        var headers = new Headers
        {
            { "bin", [0xff, 0xfe] }, { "dup", "first"u8.ToArray() }, { "dup", "second"u8.ToArray() }, { "nothing", null },
        };
        var route = new SingleRoute<byte[]>("in", (_, _) => Task.CompletedTask, Json, null);
        var context = (EventContext<byte[]>)route.CreateContext(ProcessorParts.Record(0, "v"u8.ToArray(), key, headers));

        Assert.Null(context.Key);
        Assert.Equal(key, context.RawKey);
        Assert.Null(context.GetHeader("bin"));
        Assert.Equal("second", context.GetHeader("dup"));
        Assert.Null(context.GetHeader("nothing"));
        Assert.Null(context.GetHeader("absent"));
        Assert.Equal(4, context.Headers.Count);
        Assert.Equal("k", ((EventContext<byte[]>)route.CreateContext(ProcessorParts.Record(0, [], "k"u8.ToArray()))).Key);
        Assert.Empty(((EventContext<byte[]>)route.CreateContext(ProcessorParts.Record(0, []))).Headers);
    }

    [Theory]
    [InlineData("null", true)]
    [InlineData(" null\n", true)]
    [InlineData("nul", false)]
    [InlineData("\"null\"", false)]
    [InlineData("null1", false)]
    public void IsJsonNull(string value, bool expected) => Assert.Equal(expected, MessageReader<int>.IsJsonNull(Encoding.UTF8.GetBytes(value)));

    private static string? Header(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : null;

    private sealed record Order(string OrderId, decimal Amount);
}
