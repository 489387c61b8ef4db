using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Diagnostics;

/// <summary>Client failure log messages, shared by the producer, the consumer and the admin client. Event ids 6000–6099; names are frozen once shipped.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, EventName = "KafkaClientFailure", Message = "Kafka {ClientKind} {ClientName}: {Diagnosis}")]
    public static partial void Failure(ILogger logger, LogLevel level, string clientKind, string clientName, string diagnosis);

    [LoggerMessage(EventId = 6001, EventName = "KafkaClientFailureRepeated", Message = "Kafka {ClientKind} {ClientName}: {Diagnosis} (repeated {Count} times in {Seconds:0} s)")]
    public static partial void FailureRepeated(ILogger logger, LogLevel level, string clientKind, string clientName, string diagnosis, int count, double seconds);

    [LoggerMessage(EventId = 6002, EventName = "KafkaClientHealthy", Level = LogLevel.Information,
        Message = "Kafka {ClientKind} {ClientName} is healthy again ({Evidence}) after {Seconds:0.#} s degraded by: {Diagnosis}")]
    public static partial void Recovered(ILogger logger, string clientKind, string clientName, string evidence, double seconds, string diagnosis);

    [LoggerMessage(EventId = 6003, EventName = "KafkaClientError", Level = LogLevel.Warning, Message = "Kafka {ClientKind} {ClientName}: {Code}: {Reason}{Repeated}")]
    public static partial void ClientError(ILogger logger, string clientKind, string clientName, string code, string reason, string repeated);

    [LoggerMessage(EventId = 6004, EventName = "KafkaTlsProbe", Level = LogLevel.Debug,
        Message = "Kafka {ClientKind} {ClientName}: TLS probe of {Host}:{Port} in {ElapsedMs:0} ms: tls={SpokeTls}, untrusted={Untrusted}, name mismatch={NameMismatch}, expired={Expired}, names={Names}, issuer={Issuer}, failure={Failure}")]
    public static partial void Probed(ILogger logger, string clientKind, string clientName, string host, int port, double elapsedMs, bool spokeTls, bool untrusted, bool nameMismatch, bool expired, string names, string? issuer, string? failure);
}
