using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Tests.Producing;

/// <summary>The producer's parts, each on its own: error wording, the pending registry, batches, the backlog.</summary>
public sealed class ProducerPartsTests
{
    [Fact]
    public void PublishErrors_FatalErrorOfARebuiltProducer_IsRetriableAndSaysSo_AfterTheSecondItIsNot()
    {
        var error = new Error(ErrorCode.OutOfOrderSequenceNumber, "idempotence lost");

        var rebuilt = PublishErrors.Delivery("t", "k", "id", error, fatal: true, failedForGood: false);
        var down = PublishErrors.Delivery("t", "k", "id", error, fatal: true, failedForGood: true);
        var tooLarge = PublishErrors.Delivery("t", "k", "id", new Error(ErrorCode.MsgSizeTooLarge, "too big"), fatal: false, failedForGood: false);

        Assert.True(rebuilt.IsRetriable);
        Assert.True(rebuilt.IsFatal);
        Assert.Contains("was rebuilt", rebuilt.Message, StringComparison.Ordinal);
        Assert.Contains("same key", rebuilt.Message, StringComparison.Ordinal);
        Assert.False(down.IsRetriable);
        Assert.Contains("restart the service", down.Message, StringComparison.Ordinal);
        Assert.False(tooLarge.IsRetriable);
        Assert.Equal(ErrorCode.MsgSizeTooLarge, tooLarge.ErrorCode);
        Assert.Contains("message.max.bytes", tooLarge.Message, StringComparison.Ordinal);
        Assert.Contains("max.message.bytes", tooLarge.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.Local_InvalidArg, PublishErrors.NotBuilt("t", null, new ArgumentNullException("name")).ErrorCode);
        Assert.Equal(ErrorCode.Local_ValueSerialization, PublishErrors.NotBuilt("t", null, new TimeZoneNotFoundException()).ErrorCode);
    }

    [Theory]
    [InlineData(ErrorCode.Local_Destroy)]
    [InlineData(ErrorCode.Local_DestroyBroker)]
    public void PublishErrors_DestroyedByLibrdkafkaWhileTheProducerStaysOpen_IsRetriable_OnCloseItIsNot(ErrorCode code)
    {
        // librdkafka's own text for a message failed with a broker handle it destroyed (seen in a whole-cluster restart).
        var error = new Error(code, "Local: Broker handle destroyed for termination");

        var open = PublishErrors.Delivery("t", "k", "id", error, fatal: false, failedForGood: false);
        var closing = PublishErrors.Delivery("t", "k", "id", error, fatal: false, failedForGood: false, closing: true);

        Assert.True(open.IsRetriable);
        Assert.Equal(code, open.ErrorCode);
        Assert.Contains("may or may not be stored", open.Message, StringComparison.Ordinal);
        Assert.Contains("can duplicate it", open.Message, StringComparison.Ordinal);
        Assert.False(closing.IsRetriable);
        Assert.Equal(code, closing.ErrorCode);
    }

    [Fact]
    public void PendingRegistry_RemovesOnce_FailAllReachesOnlyTheMatchingOnes()
    {
        var registry = new PendingRegistry();
        var old = new object();
        var items = Enumerable.Range(0, 40).Select(i => new Pending { Producer = i % 2 == 0 ? old : new object() }).ToList();
        Parallel.ForEach(items, registry.Add);

        Assert.True(registry.Remove(items[0]));
        Assert.False(registry.Remove(items[0]));
        var failed = new ConcurrentBag<IPendingDelivery>();
        registry.FailAll(p => ReferenceEquals(p.Producer, old), failed.Add);

        Assert.Equal(19, failed.Count);
        Assert.All(failed, p => Assert.Same(old, p.Producer));
    }

    [Fact]
    public async Task BatchCompletion_CompletesWhenEveryOutcomeIsIn_CancellingFailsOnlyTheWaitingSlots()
    {
        var client = new ProducerClient(Options(), NullLogger.Instance, _ => { });
        var backlog = new ProduceBacklog((_, _, _) => null, TimeSpan.FromSeconds(1), () => { });
        var tracker = new DeliveryTracker(client, backlog);
        using var cancellation = new CancellationTokenSource();
        var batch = new BatchCompletion(3);
        var slots = Enumerable.Range(0, 3).Select(i => new BatchSlot(tracker, batch, i, "t", null, Encoding.ASCII.GetBytes("id-" + i))).ToList();
        foreach (var slot in slots)
        {
            tracker.Track(slot);
            batch.Track(slot, cancellation.Token);
        }

        batch.AllQueued(cancellation.Token);
        slots[0].Fail(new Error(ErrorCode.MsgSizeTooLarge, "too big"));
        Assert.False(batch.Task.IsCompleted);
        await cancellation.CancelAsync();
        var result = await batch.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal(3, result.FailedCount);
        Assert.Equal(ErrorCode.MsgSizeTooLarge, result.Outcomes[0].Error!.ErrorCode);
        Assert.All(result.Outcomes.Skip(1), o => Assert.Contains("may still be delivered", o.Error!.Message, StringComparison.Ordinal));
        Assert.Equal(0, tracker.InFlight);
        client.Dispose();
    }

    [Fact]
    public async Task ProduceBacklog_QueueFull_HandsMessagesOnInPublishOrder_AsRoomAppears()
    {
        var accepted = new ConcurrentQueue<string>();
        var room = 0;
        ProduceBacklog? backlog = null;
        backlog = new ProduceBacklog((_, record, _) =>
        {
            if (Interlocked.Decrement(ref room) < 0)
            {
                Interlocked.Increment(ref room);
                return new Error(ErrorCode.Local_QueueFull);
            }

            accepted.Enqueue(Encoding.UTF8.GetString(record.Value!));
            return null;
        }, TimeSpan.FromSeconds(30), () => { });
        foreach (var i in Enumerable.Range(0, 20))
        {
            backlog.Add("t", new SerializedRecord(null, Encoding.UTF8.GetBytes("m" + i), new Headers()), new Pending(), CancellationToken.None);
        }

        for (var round = 0; round < 20 && accepted.Count < 20; round++)
        {
            Interlocked.Add(ref room, 5); // deliveries made room
            backlog.SignalRoom();
            var expected = Math.Min(20, (round + 1) * 5);
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (accepted.Count < expected && DateTime.UtcNow < deadline)
            {
                await Task.Yield();
            }
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => "m" + i), accepted);
        Assert.True(backlog.IsEmpty);
    }

    [Fact]
    public void RecordBuilder_CallersHeadersKept_StandardOnesAddedOnce_SourceFromTheServiceName()
    {
        var builder = new RecordBuilder(Options(), JsonEventSerializer.CreateDefault());

        var record = builder.CreateRecord(new { Id = 1 }, null, "key-1", [new("tenant", "acme")], out var messageId);

        Assert.Equal("key-1", Encoding.UTF8.GetString(record.Key!));
        Assert.Equal("{\"id\":1}", Encoding.UTF8.GetString(record.Value!));
        Assert.Equal(["tenant", "timestamp", "source", "message-id", "content-type"], record.Headers.Select(h => h.Key));
        Assert.Equal("unit", Encoding.UTF8.GetString(record.Headers.GetLastBytes("source")));
        Assert.Equal(messageId, record.Headers.GetLastBytes("message-id"));
    }

    private static EventBusOptions Options() => EventBusOptions.FromVariables(new Dictionary<string, string?>
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = "localhost:9",
        ["SERVICE_NAME"] = "unit",
        ["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT",
    });

    private sealed class Pending : IPendingDelivery
    {
        public byte[]? KeyBytes { get; set; }

        public int Shard { get; set; } = -1;

        public IPendingDelivery? Previous { get; set; }

        public IPendingDelivery? Next { get; set; }

        public object? Producer { get; set; }

        public void OnDelivery(DeliveryReport<IPendingDelivery, byte[]?> report)
        {
        }

        public void Fail(Error error)
        {
        }

        public void Cancel(CancellationToken cancellationToken)
        {
        }
    }
}
