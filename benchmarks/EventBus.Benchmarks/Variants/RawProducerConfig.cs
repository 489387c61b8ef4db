using Confluent.Kafka;
using EventBus.Kafka.Configuration;

namespace EventBus.Benchmarks.Variants;

internal static class RawProducerConfig
{
    /// <summary>
    /// EventProducer's configuration for the raw baselines: the same mapping (acks=all, idempotence, snappy, linger)
    /// and delivery reports without key, value and headers copied back, as EventProducer sets them.
    /// </summary>
    public static ProducerConfig Create(EventBusOptions options, int? lingerMs = null)
    {
        var config = KafkaClientConfigFactory.CreateProducerConfig(options);
        config.DeliveryReportFields = "timestamp,status";
        if (lingerMs is { } linger)
        {
            config.LingerMs = linger;
        }

        return config;
    }
}
