using System.Globalization;
using Confluent.Kafka;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>Writes test records with the raw client and reads group offsets back.</summary>
internal static class TestData
{
    /// <summary>Produces records whose value is the index as JSON (a number) and whose key is <c>key-{index % keys}</c>.</summary>
    public static void Produce(string bootstrapServers, string topic, int from, int count, int keys = 100, Func<int, string>? value = null, Func<int, Headers?>? headers = null) =>
        Produce(new ProducerConfig { BootstrapServers = bootstrapServers, EnableIdempotence = true, LingerMs = 5 }, topic, from, count, keys, value, headers);

    /// <summary>Produces the same records with a given configuration (e.g. the one EventBus maps); asserts every one was acknowledged.</summary>
    public static void Produce(ProducerConfig config, string topic, int from, int count, int keys = 100, Func<int, string>? value = null, Func<int, Headers?>? headers = null)
    {
        var failed = 0;
        using var producer = new ProducerBuilder<string, string>(config).Build();
        for (var i = from; i < from + count; i++)
        {
            producer.Produce(topic, new Message<string, string>
            {
                Key = "key-" + (i % keys),
                Value = value?.Invoke(i) ?? i.ToString(CultureInfo.InvariantCulture),
                Headers = headers?.Invoke(i),
            }, r =>
            {
                if (r.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                }
            });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, failed);
    }

    /// <summary>The group's committed offsets (-1001 when none) and the end offsets of every partition of a topic.</summary>
    public static (Dictionary<int, long> Committed, Dictionary<int, long> End) Offsets(string bootstrapServers, string groupId, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = groupId, EnableAutoCommit = false }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var committed = Committed(consumer, partitions).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        var end = partitions.ToDictionary(p => p.Partition.Value, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
        return (committed, end);
    }

    /// <summary>
    /// Reads the committed offsets, asking again while the broker answers with a retriable error (on the mock cluster an
    /// OffsetFetch error a fault scenario injected and its consumer did not use up is served to whoever asks next).
    /// </summary>
    /// <param name="consumer">A consumer of the group.</param>
    /// <param name="partitions">The partitions.</param>
    /// <typeparam name="TKey">The consumer's key type.</typeparam>
    /// <typeparam name="TValue">The consumer's value type.</typeparam>
    /// <returns>The committed offsets.</returns>
    public static List<TopicPartitionOffset> Committed<TKey, TValue>(IConsumer<TKey, TValue> consumer, List<TopicPartition> partitions)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return consumer.Committed(partitions, TimeSpan.FromSeconds(10));
            }
            catch (KafkaException ex) when (ex.Error.Code is ErrorCode.NotCoordinatorForGroup or ErrorCode.GroupCoordinatorNotAvailable or ErrorCode.GroupLoadInProgress or ErrorCode.RequestTimedOut or ErrorCode.Local_TimedOut && DateTime.UtcNow < deadline)
            {
            }
        }
    }

    /// <summary>The last value of a header as UTF-8 text, or <see langword="null"/>.</summary>
    public static string? Header(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    public static string Describe(Dictionary<int, long> committed, Dictionary<int, long> end) =>
        string.Join(", ", end.Keys.Order().Select(p => $"{p}:{committed.GetValueOrDefault(p)}/{end[p]}"));
}
