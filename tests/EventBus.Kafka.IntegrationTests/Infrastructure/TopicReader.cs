using Confluent.Kafka;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>Reads a whole topic back from the broker, independent of any consumer group.</summary>
internal static class TopicReader
{
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Reads every record of every partition, from the beginning to the high watermark at call time.</summary>
    public static List<ConsumeResult<string, string>> ReadAll(string bootstrapServers, string topic, TimeSpan timeout)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        };
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var watermarks = partitions.ToDictionary(tp => tp, tp => consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)));
        var highs = watermarks.ToDictionary(w => w.Key, w => w.Value.High.Value);
        var remaining = watermarks.Where(w => w.Value.High > w.Value.Low).Select(w => w.Key).ToHashSet();
        consumer.Assign(partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        var records = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow + timeout;
        var next = partitions.ToDictionary(tp => tp, _ => Offset.Beginning);
        var progressAt = DateTime.UtcNow;
        var restarts = 0;
        while (remaining.Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Reading {topic} back timed out with partitions {string.Join(",", remaining.Select(r => r.Partition.Value))} unfinished after {records.Count} records ({restarts} fetch restarts).");
            }

            if (DateTime.UtcNow - progressAt > StallTimeout)
            {
                // librdkafka can stop fetching a partition after its leader epoch changed (see FetchStallWatchdog in the
                // library): assign what is left again at the next offsets, as the library's consumer does.
                consumer.Assign(remaining.Select(tp => new TopicPartitionOffset(tp, next[tp])));
                restarts++;
                progressAt = DateTime.UtcNow;
            }

            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            progressAt = DateTime.UtcNow;
            next[result.TopicPartition] = result.IsPartitionEOF ? result.Offset : result.Offset.Value + 1;

            if (!result.IsPartitionEOF)
            {
                records.Add(result);
            }

            if (result.Offset.Value + (result.IsPartitionEOF ? 0 : 1) >= highs[result.TopicPartition])
            {
                remaining.Remove(result.TopicPartition);
            }
        }

        consumer.Close();
        return records;
    }
}
