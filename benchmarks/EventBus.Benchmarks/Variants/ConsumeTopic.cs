using Confluent.Kafka;
using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Workload;

namespace EventBus.Benchmarks.Variants;

/// <summary>The topic the consumer variants read: filled once with the records EventProducer would write.</summary>
internal static class ConsumeTopic
{
    /// <summary>
    /// Writes <paramref name="messages"/> records (same keys, payloads and four headers as every producer variant)
    /// with the raw client, and returns how many the topic holds: the mock cluster keeps at most 5 MB per partition.
    /// </summary>
    public static int Fill(BenchmarkCluster cluster, string topic, int messages)
    {
        var options = cluster.Options(topic);
        var headers = new StandardHeaders(options.Connection.ServiceName!);
        using (var producer = new ProducerBuilder<string, byte[]>(RawProducerConfig.Create(options)).Build())
        {
            var failed = 0;
            Action<DeliveryReport<string, byte[]>> onDelivery = r =>
            {
                if (r.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                }
            };
            for (var i = 0; i < messages; i++)
            {
                while (true)
                {
                    try
                    {
                        producer.Produce(topic, new Message<string, byte[]> { Key = Payload.Key(i), Value = Payload.Serialize(i), Headers = headers.Create() }, onDelivery);
                        break;
                    }
                    catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(10));
                    }
                }
            }

            Check.That(producer.Flush(TimeSpan.FromMinutes(2)) == 0 && failed == 0, "the consume topic was filled");
        }

        var held = cluster.CountRecords(topic);
        if (held < messages)
        {
            Console.WriteLine($"note: the consume topic holds {held:N0} of the {messages:N0} records written (the mock cluster keeps at most 5 MB per partition); the consumer variants read {held:N0}");
        }

        return (int)Math.Min(held, messages);
    }
}
