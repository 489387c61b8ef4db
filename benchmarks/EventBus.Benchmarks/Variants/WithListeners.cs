using EventBus.Benchmarks.Harness;

namespace EventBus.Benchmarks.Variants;

/// <summary>
/// A variant run again with <see cref="TelemetryListeners"/> attached (only during the run; the same clients), so
/// that the cost of telemetry is paired with the run without it in the same round.
/// </summary>
internal sealed class WithListeners(IVariant inner) : IVariant
{
    public string Name { get; } = VariantNames.WithListeners(inner.Name);

    public Task WarmUpAsync() => Task.CompletedTask;

    public async Task<Measurement> RunAsync(RunContext run)
    {
        using var listeners = new TelemetryListeners();
        var measurement = await inner.RunAsync(run).ConfigureAwait(false);
        return measurement with { Variant = Name };
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
