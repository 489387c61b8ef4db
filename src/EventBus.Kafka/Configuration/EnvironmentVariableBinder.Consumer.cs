using EventBus.Kafka.Consuming;
using AutoOffsetReset = Confluent.Kafka.AutoOffsetReset;
using static EventBus.Kafka.Configuration.EventBusEnvironmentVariables;

namespace EventBus.Kafka.Configuration;

/// <summary>The <c>KAFKA_CONSUMER_*</c> variables: the group and client settings, and the processing settings.</summary>
public static partial class EnvironmentVariableBinder
{
    private static void BindConsumer(KafkaConsumerOptions consumer, Reader reader)
    {
        reader.String(ConsumerGroup, v => consumer.GroupId = v);
        if (reader.Get(ConsumerAutoOffsetReset) is { } reset)
        {
            switch (reset.Trim().ToUpperInvariant())
            {
                case "EARLIEST": consumer.AutoOffsetReset = AutoOffsetReset.Earliest; break;
                case "LATEST": consumer.AutoOffsetReset = AutoOffsetReset.Latest; break;
                default: reader.Problem(ConsumerAutoOffsetReset, $"'{reset}' is not valid; use earliest or latest."); break;
            }
        }

        reader.Bool(ConsumerEnableAutoCommit, v => consumer.EnableAutoCommit = v);
        reader.Int(ConsumerMaxPollRecords, v => consumer.MaxPollRecords = v);
        reader.Int(ConsumerMaxPollIntervalMs, v => consumer.MaxPollIntervalMs = v);
        reader.Int(ConsumerSessionTimeoutMs, v => consumer.SessionTimeoutMs = v);
        reader.Int(ConsumerHeartbeatIntervalMs, v => consumer.HeartbeatIntervalMs = v);
        reader.Int(ConsumerFetchMinBytes, v => consumer.FetchMinBytes = v);
        reader.Int(ConsumerFetchWaitMaxMs, v => consumer.FetchWaitMaxMs = v);
        reader.Int(ConsumerStatisticsIntervalMs, v => consumer.StatisticsIntervalMs = v);

        // Processing settings: bound as "set or not", so that only a variable that is set wins over the code's value
        // (EventConsumerBuilder applies them when it builds the consumer).
        reader.Int(ConsumerMaxConcurrency, v => consumer.MaxConcurrency = v);
        if (reader.Get(ConsumerOrdering) is { } ordering)
        {
            switch (ordering.Trim().ToUpperInvariant())
            {
                case "PARTITION": consumer.Ordering = OrderingMode.Partition; break;
                case "KEY": consumer.Ordering = OrderingMode.Key; break;
                default: reader.Problem(ConsumerOrdering, $"'{ordering}' is not an ordering; use partition (order per partition) or key (order per key)."); break;
            }
        }

        reader.Int(ConsumerMaxRetries, v => consumer.MaxRetries = v);
        reader.Int(ConsumerRetryBackoffMs, v => consumer.RetryBackoffMs = v);
        reader.Int(ConsumerRetryMaxBackoffMs, v => consumer.RetryMaxBackoffMs = v);
        reader.Bool(ConsumerExactlyOnce, v => consumer.ExactlyOnce = v);
        reader.Int(ConsumerTransactionIntervalMs, v => consumer.TransactionIntervalMs = v);
        reader.Int(ConsumerTransactionMaxRecords, v => consumer.TransactionMaxRecords = v);
    }
}
