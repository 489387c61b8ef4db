using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.IntegrationTests.Consuming;

/// <summary>
/// Records no EventBus producer wrote — raw client, mostly without any header — against a typed handler: each ends
/// where the README's rules say (handled with the exact object, dead-lettered with its headers, or skipped and
/// counted), the consumer keeps going, and the committed offsets reach the log end.
/// </summary>
public sealed class BadInputTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    private const int LargeValueBytes = 900_000;

    [Fact]
    public async Task EveryKindOfBadInput_FromARawProducer_EndsWhereTheRulesSay_CommittedToTheEnd()
    {
        var topic = KafkaTestBroker.UniqueTopic("bad-input");
        var dlq = topic + "-dlq";
        await broker.CreateTopicAsync(topic, 1, 3);
        await broker.CreateTopicAsync(dlq, 1, 3);
        var group = "g-" + topic;
        var largeNote = new string('n', LargeValueBytes);
        byte[] notUtf8Key = [0xc3, 0x28, 0xff];
        Headers Binary() => new() { { "trace", [0xff, 0xfe, 0x00] }, { "dup", "first"u8.ToArray() }, { "dup", "second"u8.ToArray() } };
        Headers Forged() => new()
        {
            { "content-type", "text/plain"u8.ToArray() }, { "message-id", [0x00, 0x01] }, { "timestamp", "yesterday"u8.ToArray() },
            { DeadLetterHeaderNames.OriginalTopic, "forged"u8.ToArray() }, { "source", null },
        };

        // offset: (key, value, headers) — what a producer that is not EventBus may write.
        var records = new (byte[]? Key, byte[]? Value, Headers? Headers)[]
        {
            (null, Json(new Order("o-0", 10)), null),                     // 0 handled
            ("k"u8.ToArray(), null, null),                                // 1 tombstone: skipped
            (null, "null"u8.ToArray(), null),                             // 2 JSON null: skipped
            (null, "{\"somethingElse\":true}"u8.ToArray(), null),         // 3 missing constructor parameters: DLQ
            (null, "{\"orderId\":null,\"amount\":1}"u8.ToArray(), null),  // 4 null for a non-nullable member: DLQ
            (null, "{\"orderId\":\"o-5\",\"amount\":\"ten\"}"u8.ToArray(), null), // 5 wrong type: DLQ
            (null, [], null),                                             // 6 empty value: DLQ
            (null, [0xff, 0x00, 0x13, 0x37], null),                       // 7 raw bytes: DLQ
            (null, "plain text"u8.ToArray(), null),                       // 8 text: DLQ
            (null, Json(new Order("o-9", 9, largeNote)), null),           // 9 ~900 KB: handled
            (null, Json(new Order("o-10", 10)), Binary()),                // 10 binary and duplicate headers: handled
            (null, Json(new Order("o-11", 11)), Forged()),                // 11 headers named like standard ones: handled
            (null, "{\"bad\":1}"u8.ToArray(), Forged()),                  // 12 ... and dead-lettered: ours are the last values
            (notUtf8Key, Json(new Order("o-13", 13)), null),              // 13 non-UTF-8 key: handled
            (notUtf8Key, "{\"bad\":2}"u8.ToArray(), null),                // 14 ... and dead-lettered with the key's bytes
            (null, Json(new Order("o-15", -1)), null),                    // 15 the handler throws: 3 attempts, then DLQ
            (null, Json(new Order("o-16", 16)), null),                    // 16 handled: the consumer kept going
        };
        ProduceRaw(topic, records);

        var handled = new ConcurrentDictionary<long, EventContext<Order>>();
        var attempts = new ConcurrentQueue<long>();
        var options = KafkaTestBroker.CreateOptions(broker.BootstrapServers, "itest",
            ("KAFKA_TOPIC_ORDERS", topic), ("KAFKA_TOPIC_DLQ", dlq), ("KAFKA_CONSUMER_GROUP", group),
            ("KAFKA_CONSUMER_MAX_RETRIES", "2"), ("KAFKA_CONSUMER_RETRY_BACKOFF_MS", "10"));
        await using var consumer = new EventConsumerBuilder(options)
            .AddHandler<Order>("ORDERS", (ctx, _) =>
            {
                attempts.Enqueue(ctx.Offset);
                if (ctx.Message.Amount < 0)
                {
                    throw new InvalidOperationException("negative amount");
                }

                handled[ctx.Offset] = ctx;
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => Done(consumer.GetStatistics()) == records.Length, TimeSpan.FromSeconds(60), "every record to end somewhere");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        var statistics = consumer.GetStatistics();
        output.WriteLine(statistics.ToString());

        // Handled, with the exact objects.
        Assert.Equal([0L, 9, 10, 11, 13, 16], handled.Keys.Order());
        Assert.Equal(new Order("o-0", 10), handled[0].Message);
        Assert.Equal(new Order("o-9", 9, largeNote), handled[9].Message);
        Assert.Equal(new Order("o-16", 16), handled[16].Message);
        Assert.Empty(handled[0].Headers);
        Assert.Equal(["trace", "dup", "dup"], handled[10].Headers.Select(h => h.Key));
        Assert.Equal((byte[])[0xff, 0xfe, 0x00], handled[10].Headers[0].GetValueBytes());
        Assert.Equal(("second", (string?)null), (handled[10].GetHeader("dup"), handled[10].GetHeader("trace")));
        Assert.Equal(new Order("o-11", 11), handled[11].Message);
        Assert.Equal(("text/plain", "forged"), (handled[11].GetHeader("content-type"), handled[11].GetHeader(DeadLetterHeaderNames.OriginalTopic)));
        Assert.Null(handled[13].Key);
        Assert.Equal(notUtf8Key, handled[13].RawKey);
        Assert.Equal(3, attempts.Count(o => o == 15));

        // Dead-lettered, each with the original bytes and the Spring headers last.
        var dead = ReadRaw(dlq).ToDictionary(r => BinaryPrimitives.ReadInt64BigEndian(Last(r, DeadLetterHeaderNames.OriginalOffset)));
        Assert.Equal([3L, 4, 5, 6, 7, 8, 12, 14, 15], dead.Keys.Order());
        foreach (var (offset, record) in dead)
        {
            Assert.Equal(records[offset].Value, record.Message.Value);
            Assert.Equal(records[offset].Key, record.Message.Key);
            Assert.Equal(topic, Text(Last(record, DeadLetterHeaderNames.OriginalTopic)));
            Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(Last(record, DeadLetterHeaderNames.OriginalPartition)));
            Assert.Equal(group, Text(Last(record, DeadLetterHeaderNames.OriginalConsumerGroup)));
            var expected = offset == 15 ? typeof(InvalidOperationException) : typeof(JsonException);
            Assert.True(Text(Last(record, DeadLetterHeaderNames.ExceptionFqcn)) == expected.FullName, $"{offset}: {Text(Last(record, DeadLetterHeaderNames.ExceptionMessage))}");
        }

        Assert.Contains("missing required properties", Text(Last(dead[3], DeadLetterHeaderNames.ExceptionMessage)), StringComparison.Ordinal);
        Assert.Equal(
            ["content-type", "message-id", "timestamp", DeadLetterHeaderNames.OriginalTopic, "source"],
            dead[12].Message.Headers.Select(h => h.Key).Take(5));
        Assert.Equal(["forged", topic], dead[12].Message.Headers.Where(h => h.Key == DeadLetterHeaderNames.OriginalTopic).Select(h => Text(h.GetValueBytes())));

        // Skipped and counted; records and attempts apart.
        Assert.Equal(
            (17L, 6L, 2L, 9L, 9L, 3L, 2L),
            (statistics.RecordsReceived, statistics.RecordsProcessed, statistics.NullRecordsSkipped, statistics.RecordsFailed, statistics.RecordsDeadLettered,
             statistics.AttemptsFailed, statistics.AttemptsRetried));

        var (committed, end) = TestData.Offsets(broker.BootstrapServers, group, topic);
        output.WriteLine("committed/end " + TestData.Describe(committed, end));
        Assert.Equal(records.Length, end[0]);
        Assert.Equal(end, committed);
    }

    [Fact]
    public async Task NullableHandler_ReceivesTombstonesAndJsonNull_AsNull_InOrder()
    {
        var topic = KafkaTestBroker.UniqueTopic("nullable");
        await broker.CreateTopicAsync(topic, 1, 3);
        var group = "g-" + topic;
        ProduceRaw(topic, [(null, null, null), (null, "null"u8.ToArray(), null), (null, Json(new Order("o-2", 2)), null)]);
        var seen = new ConcurrentQueue<Order?>();
        var options = KafkaTestBroker.CreateOptions(broker.BootstrapServers, "itest", ("KAFKA_TOPIC_ORDERS", topic), ("KAFKA_CONSUMER_GROUP", group));

        await using var consumer = new EventConsumerBuilder(options)
            .AddNullableHandler<Order>("ORDERS", (ctx, _) =>
            {
                seen.Enqueue(ctx.Message);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => seen.Count == 3, TimeSpan.FromSeconds(60), "three records");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal([null, null, new Order("o-2", 2)], seen);
        Assert.Equal(0, consumer.GetStatistics().NullRecordsSkipped);
        Assert.Equal(3, TestData.Offsets(broker.BootstrapServers, group, topic).Committed[0]);
    }

    [Fact]
    public async Task RecordFarLargerThanTheFetchLimits_StillHandled_TheConsumerKeepsGoing()
    {
        var topic = KafkaTestBroker.UniqueTopic("fetch-limit");
        await broker.CreateTopicAsync(topic, 1, 3);
        var group = "g-" + topic;
        var note = new string('x', LargeValueBytes);
        ProduceRaw(topic, [(null, Json(new Order("small-0", 0)), null), (null, Json(new Order("large-1", 1, note)), null), (null, Json(new Order("small-2", 2)), null)]);
        var options = KafkaTestBroker.CreateOptions(broker.BootstrapServers, "itest", ("KAFKA_TOPIC_ORDERS", topic), ("KAFKA_CONSUMER_GROUP", group));

        // About 1 KB per fetch and per partition, some 900 times less than the record. The broker still returns the
        // first record batch whole (KIP-74), so the consumer makes progress instead of stalling on it.
        options.Consumer.AdditionalProperties["message.max.bytes"] = "1000";
        options.Consumer.AdditionalProperties["fetch.max.bytes"] = "1024";
        options.Consumer.AdditionalProperties["max.partition.fetch.bytes"] = "1024";
        var seen = new ConcurrentQueue<Order>();
        await using var consumer = new EventConsumerBuilder(options)
            .AddHandler<Order>("ORDERS", (ctx, _) =>
            {
                seen.Enqueue(ctx.Message);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => seen.Count == 3, TimeSpan.FromSeconds(60), "three records, one of them ~900 KB");
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["small-0", "large-1", "small-2"], seen.Select(o => o.OrderId));
        Assert.Equal(LargeValueBytes, seen.ElementAt(1).Note!.Length);
        Assert.Equal(3, TestData.Offsets(broker.BootstrapServers, group, topic).Committed[0]);
    }

    [Fact]
    public async Task Publish_ValueAboveMessageMaxBytes_RefusedAtPublishTime_NotRetriable_NothingSent()
    {
        var topic = KafkaTestBroker.UniqueTopic("too-large");
        await broker.CreateTopicAsync(topic, 1, 3);
        await using var producer = new EventProducer(KafkaTestBroker.CreateOptions(broker.BootstrapServers, "itest", ("KAFKA_TOPIC_ORDERS", topic)));
        await producer.PublishAsync("ORDERS", new byte[LargeValueBytes], cancellationToken: TestContext.Current.CancellationToken);

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<EventPublishException>(() => producer.PublishAsync("ORDERS", new byte[1_000_001], cancellationToken: TestContext.Current.CancellationToken));
        stopwatch.Stop();

        output.WriteLine($"refused in {stopwatch.Elapsed.TotalMilliseconds:0} ms: {error.ErrorCode}: {error.Message}");
        Assert.Equal(ErrorCode.MsgSizeTooLarge, error.ErrorCode);
        Assert.False(error.IsRetriable);
        Assert.Contains(topic, error.Message, StringComparison.Ordinal);
        Assert.Contains("message.max.bytes", error.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"refusing took {stopwatch.Elapsed}");
        Assert.Equal(1, TestData.Offsets(broker.BootstrapServers, "reader-" + topic, topic).End[0]);
    }

    private static long Done(EventConsumerStatistics s) => s.RecordsProcessed + s.NullRecordsSkipped + s.RecordsDeadLettered;

    private static byte[] Json(Order order) => JsonSerializer.SerializeToUtf8Bytes(order, JsonSerializerOptions.Web);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static byte[] Last(ConsumeResult<byte[], byte[]> record, string header) => record.Message.Headers.GetLastBytes(header);

    /// <summary>Writes records with the raw client, exactly as given (a null value is a tombstone, null headers none at all).</summary>
    private void ProduceRaw(string topic, IEnumerable<(byte[]? Key, byte[]? Value, Headers? Headers)> records)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, EnableIdempotence = true }).Build();
        foreach (var (key, value, headers) in records)
        {
            // One at a time, so the offsets are the array's indexes.
            producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = headers }).GetAwaiter().GetResult();
        }
    }

    /// <summary>Reads a whole one-partition topic as bytes (keys that are not UTF-8 stay as written).</summary>
    private List<ConsumeResult<byte[], byte[]>> ReadRaw(string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers, GroupId = "reader-" + Guid.NewGuid().ToString("N"), EnableAutoCommit = false,
        }).Build();
        var partition = new TopicPartition(topic, 0);
        var end = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High.Value;
        consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
        var records = new List<ConsumeResult<byte[], byte[]>>();
        var deadline = Stopwatch.StartNew();
        while (records.Count < end && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
            {
                records.Add(record);
            }
        }

        Assert.Equal(end, records.Count);
        return records;
    }

    private sealed record Order(string OrderId, decimal Amount, string? Note = null);
}
