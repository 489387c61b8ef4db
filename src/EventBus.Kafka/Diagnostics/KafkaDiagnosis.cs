using Confluent.Kafka;

namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// One Kafka client failure, diagnosed: its class and precise cause, what is wrong in words, what to check (naming the
/// <c>KAFKA_*</c> variables), and librdkafka's own reason. Shared by the producer, the consumer and the topic
/// provisioner's admin client; it never holds a secret.
/// </summary>
public sealed class KafkaDiagnosis
{
    internal KafkaDiagnosis(KafkaFailureKind kind, KafkaFailureCause cause, ErrorCode code, string summary, string advice, IReadOnlyList<string> variables, string reason, string? broker)
    {
        Kind = kind;
        Cause = cause;
        Code = code;
        Summary = summary;
        Advice = advice;
        Variables = variables;
        Reason = reason;
        Broker = broker;
        Text = Format();
        Message = $"{Text} ({Code})";
    }

    /// <summary>Gets the class of the failure.</summary>
    public KafkaFailureKind Kind { get; }

    /// <summary>Gets the precise cause.</summary>
    public KafkaFailureCause Cause { get; }

    /// <summary>Gets the Kafka error code librdkafka reported.</summary>
    public ErrorCode Code { get; }

    /// <summary>Gets what is wrong, in words.</summary>
    public string Summary { get; }

    /// <summary>Gets what to check or change, naming the variables.</summary>
    public string Advice { get; }

    /// <summary>Gets the environment variables to check, most likely first (e.g. <c>SSL_CA_LOCATION</c>).</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>Gets librdkafka's reason, as it gave it.</summary>
    public string Reason { get; }

    /// <summary>Gets the broker the failure was seen on (as librdkafka names it, e.g. <c>ssl://host:9093/1</c>), when known.</summary>
    public string? Broker { get; }

    /// <summary>
    /// Gets a value indicating whether this is a configuration error (TLS, authentication, authorization): it persists
    /// until someone changes the configuration, so what fails because of it fails at once and is not retriable.
    /// </summary>
    public bool IsConfigurationError => Kind is KafkaFailureKind.Tls or KafkaFailureKind.Authentication or KafkaFailureKind.Authorization;

    /// <summary>Gets the one message: the class, what is wrong, what to check and librdkafka's reason.</summary>
    public string Message { get; }

    /// <summary>A diagnosis for an error that is not a Kafka client failure (a bug, a disposed dependency) which stopped a client.</summary>
    /// <param name="exception">What stopped it.</param>
    /// <returns>The diagnosis (<see cref="KafkaFailureKind.Other"/>).</returns>
    internal static KafkaDiagnosis FromException(Exception exception) =>
        new(KafkaFailureKind.Other, KafkaFailureCause.Other, ErrorCode.Local_Fail, "the client stopped: " + exception.Message,
            "See the exception and the logs; restart the service once it is fixed", [], exception.GetType().Name + ": " + exception.Message, null);

    /// <summary>Gets the message without the error code (for messages that add it themselves).</summary>
    internal string Text { get; }

    /// <inheritdoc />
    public override string ToString() => Message;

    private string Format()
    {
        var label = Kind switch
        {
            KafkaFailureKind.Unreachable => "Kafka unreachable",
            KafkaFailureKind.Tls => "TLS failure",
            KafkaFailureKind.Authentication => "Authentication failure",
            KafkaFailureKind.Authorization => "Authorization failure",
            KafkaFailureKind.Fatal => "Fatal client error",
            _ => "Kafka client error",
        };
        return $"{label}: {Summary}. {Advice}. librdkafka: {Reason}";
    }
}
