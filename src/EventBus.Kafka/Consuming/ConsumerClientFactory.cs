using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>What the Confluent consumer calls back: rebalances, errors, logs (librdkafka serves them inside Consume or Close).</summary>
/// <param name="Assigned">Partitions added to the assignment.</param>
/// <param name="Revoked">Partitions taken away (cooperative: only those).</param>
/// <param name="Lost">Partitions lost without a chance to commit.</param>
/// <param name="Error">A client error.</param>
/// <param name="Log">A librdkafka log line.</param>
internal sealed record ConsumerClientHandlers(
    Action<IConsumer<byte[]?, byte[]?>, List<TopicPartition>> Assigned,
    Action<IConsumer<byte[]?, byte[]?>, List<TopicPartitionOffset>> Revoked,
    Action<IConsumer<byte[]?, byte[]?>, List<TopicPartitionOffset>> Lost,
    Action<IConsumer<byte[]?, byte[]?>, Error> Error,
    Action<IConsumer<byte[]?, byte[]?>, LogMessage> Log);

/// <summary>Builds the Confluent consumer with the given callbacks (tests give a fake one).</summary>
/// <param name="handlers">The callbacks.</param>
/// <returns>The consumer, not yet subscribed.</returns>
internal delegate IConsumer<byte[]?, byte[]?> ConsumerClientFactory(ConsumerClientHandlers handlers);

/// <summary>The Confluent consumer of the options: mapped config, callbacks, OAUTHBEARER when configured.</summary>
internal static class KafkaConsumerClient
{
    /// <summary>Gets the factory that builds real Confluent consumers.</summary>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger (token refresh failures).</param>
    /// <param name="telemetry">Receives librdkafka's statistics (the lag gauge), when given.</param>
    /// <returns>The factory.</returns>
    public static ConsumerClientFactory Factory(EventBusOptions options, ILogger logger, ConsumerTelemetry? telemetry = null) => handlers =>
        new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigFactory.CreateConsumerConfig(options))
            .SetStatisticsHandler(telemetry is null ? static (_, _) => { } : (_, json) => telemetry.OnStatistics(json))
            .SetPartitionsAssignedHandler(handlers.Assigned)
            .SetPartitionsRevokedHandler(handlers.Revoked)
            .SetPartitionsLostHandler(handlers.Lost)
            .SetErrorHandler(handlers.Error)
            .SetLogHandler(handlers.Log)
            .UseOAuthBearerTokenProvider(options, logger)
            .Build();

    /// <summary>What the diagnosis of the consumer's failures needs to know: its configuration (no secret shown), group and topics.</summary>
    /// <param name="options">The options.</param>
    /// <param name="groupId">The group.</param>
    /// <param name="topics">The topics.</param>
    /// <returns>The context.</returns>
    public static DiagnosisContext Diagnosis(EventBusOptions options, string groupId, IReadOnlyCollection<string> topics) =>
        DiagnosisContext.From("consumer", KafkaClientConfigFactory.CreateConsumerConfig(options), groupId, topics);
}
