using System.Text.Json.Serialization;

namespace EventBus.Benchmarks.Workload;

/// <summary>The record every variant publishes: about 170 bytes of JSON.</summary>
internal sealed record BenchmarkEvent(Guid OrderId, string Customer, decimal Amount, string Currency, int Items, DateTimeOffset CreatedAt, string Channel)
{
    public static BenchmarkEvent Create(int i) =>
        new(Guid.NewGuid(), "customer-" + (i % 1000), 1234.56m + i, "EUR", 3, DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000 + i), "web-checkout");
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BenchmarkEvent))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;
