using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Topics;

/// <summary>Topic provisioning log messages. Event ids 3000–3099; names are frozen once shipped.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, EventName = "TopicCreated", Level = LogLevel.Information,
        Message = "Topic {Topic} created ({Partitions} partitions, replication {ReplicationFactor}, tier {Tier})")]
    public static partial void Created(ILogger logger, string topic, int partitions, int replicationFactor, string tier);

    [LoggerMessage(EventId = 3001, EventName = "TopicAlreadyExists", Level = LogLevel.Information,
        Message = "Topic {Topic} already exists (created concurrently); nothing to do")]
    public static partial void AlreadyExists(ILogger logger, string topic);

    [LoggerMessage(EventId = 3002, EventName = "TopicCreationRetrying", Level = LogLevel.Warning,
        Message = "Creating topic {Topic} failed with {Code} (attempt {Attempt}); retrying")]
    public static partial void Retrying(ILogger logger, string topic, string code, int attempt);

    [LoggerMessage(EventId = 3003, EventName = "TopicProvisioningFailed", Level = LogLevel.Error,
        Message = "Topic {Topic}: {Reason} ({Code})")]
    public static partial void Failed(ILogger logger, string topic, string code, string reason);

    [LoggerMessage(EventId = 3004, EventName = "TopicPartitionsIncreased", Level = LogLevel.Warning,
        Message = "Topic {Topic} increased to {Partitions} partitions; records with the same key now go to a different partition than before")]
    public static partial void PartitionsIncreased(ILogger logger, string topic, int partitions);

    [LoggerMessage(EventId = 3005, EventName = "TopicProvisioningCompleted", Level = LogLevel.Information,
        Message = "Topic {Operation}: {Created} created, {Existing} existing, {Missing} missing, {Drift} drift, {Errors} error(s)")]
    public static partial void Completed(ILogger logger, string operation, int created, int existing, int missing, int drift, int errors);

    [LoggerMessage(EventId = 3006, EventName = "LibrdkafkaLog", Message = "librdkafka {Name} {Facility}: {Text}")]
    public static partial void Librdkafka(ILogger logger, LogLevel level, string name, string facility, string text);

    [LoggerMessage(EventId = 3007, EventName = "TopicAdminApiMissing", Level = LogLevel.Warning,
        Message = "Topic {Operation}: the cluster has no admin API EventBus can use ({Reason}); missing topics are listed, not created, and topics are verified through metadata")]
    public static partial void AdminApiMissing(ILogger logger, string operation, string reason);
}
