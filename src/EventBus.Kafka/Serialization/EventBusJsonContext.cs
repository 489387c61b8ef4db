using System.Text.Json;
using System.Text.Json.Serialization;
using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Serialization;

/// <summary>Source-generated JSON for the library's own events (trimming and AOT safe).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ErrorEvent))]
internal sealed partial class EventBusJsonContext : JsonSerializerContext;
