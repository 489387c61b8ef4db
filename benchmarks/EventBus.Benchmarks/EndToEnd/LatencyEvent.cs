using System.Text.Json.Serialization;

namespace EventBus.Benchmarks.EndToEnd;

/// <summary>
/// The record of the end-to-end variants: which run and which message it is (the publisher noted when it handed the
/// message over, by index), and a body the size of <see cref="Workload.BenchmarkEvent"/>'s.
/// </summary>
internal sealed record LatencyEvent(int Run, int Index, Guid OrderId, string Customer, decimal Amount, string Currency, int Items, string Channel)
{
    public static LatencyEvent Create(int run, int index) =>
        new(run, index, Guid.NewGuid(), "customer-" + (index % 1000), 1234.56m + index, "EUR", 3, "web-checkout");
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LatencyEvent))]
internal sealed partial class LatencyJsonContext : JsonSerializerContext;
