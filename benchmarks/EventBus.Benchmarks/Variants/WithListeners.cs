using EventBus.Benchmarks.Harness;

namespace EventBus.Benchmarks.Variants;

/// <summary>
/// A variant run again with <see cref="TelemetryListeners"/> attached (only during the run; the same clients), so
/// that the cost of telemetry is paired with the run without it in the same round. With <paramref name="ownsInner"/>
/// the inner variant runs only here, so this one warms it up and disposes it.
/// </summary>
internal sealed class WithListeners(IVariant inner, bool ownsInner = false) : IVariant
{
    public string Name { get; } = VariantNames.WithListeners(inner.Name);

    public Task WarmUpAsync() => ownsInner ? inner.WarmUpAsync() : Task.CompletedTask;

    public async Task<Measurement> RunAsync(RunContext run)
    {
        using var listeners = new TelemetryListeners();
        var measurement = await inner.RunAsync(run).ConfigureAwait(false);
        return measurement with { Variant = Name };
    }

    public ValueTask DisposeAsync() => ownsInner ? inner.DisposeAsync() : ValueTask.CompletedTask;
}
