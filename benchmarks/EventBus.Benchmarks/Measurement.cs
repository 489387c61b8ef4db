namespace EventBus.Benchmarks;

/// <summary>One run of one variant.</summary>
internal sealed record Measurement(string Variant, int Messages, double Seconds, double AllocatedBytesPerMessage, double? P50Ms = null, double? P99Ms = null)
{
    public double Rate => Messages / Seconds;
}
