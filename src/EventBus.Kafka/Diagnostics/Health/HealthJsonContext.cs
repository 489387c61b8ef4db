using System.Text.Json;
using System.Text.Json.Serialization;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>Source-generated JSON of the health report: snake_case names and enum values (trimming and AOT safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified,
    Converters = [
        typeof(SnakeCaseEnumConverter<EventBusHealthStatus>),
        typeof(SnakeCaseEnumConverter<KafkaHealthStatus>),
        typeof(SnakeCaseEnumConverter<KafkaFailureKind>),
        typeof(SnakeCaseEnumConverter<EventProducerState>),
        typeof(SnakeCaseEnumConverter<EventConsumerState>)])]
[JsonSerializable(typeof(EventBusHealthReport))]
internal sealed partial class HealthJsonContext : JsonSerializerContext
{
    private static readonly Lazy<HealthJsonContext> IndentedContext = new(() => new HealthJsonContext(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters =
        {
            new SnakeCaseEnumConverter<EventBusHealthStatus>(),
            new SnakeCaseEnumConverter<KafkaHealthStatus>(),
            new SnakeCaseEnumConverter<KafkaFailureKind>(),
            new SnakeCaseEnumConverter<EventProducerState>(),
            new SnakeCaseEnumConverter<EventConsumerState>(),
        },
    }));

    /// <summary>Gets the context that indents.</summary>
    public static HealthJsonContext Indented => IndentedContext.Value;
}

/// <summary>An enum as its snake_case name (<c>Healthy</c> → <c>healthy</c>, <c>SaslSsl</c> → <c>sasl_ssl</c>).</summary>
/// <typeparam name="TEnum">The enum.</typeparam>
internal sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
