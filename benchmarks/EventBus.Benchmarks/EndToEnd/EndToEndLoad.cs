namespace EventBus.Benchmarks.EndToEnd;

/// <summary>
/// How an end-to-end run publishes: <paramref name="RatePerSecond"/> messages a second (paced against the run's
/// clock), or, when it is null, as fast as <paramref name="Window"/> messages in flight allow (saturation).
/// </summary>
internal sealed record EndToEndLoad(int Messages, int? RatePerSecond, int Window)
{
    /// <summary>1,000 msg/s: 5,000 messages a run (1,000 with --quick).</summary>
    public static EndToEndLoad FixedRate(bool quick) => new(quick ? 1_000 : 5_000, 1_000, 100_000);

    /// <summary>Flat out with at most 5,000 in flight: 50,000 messages a run (5,000 with --quick).</summary>
    public static EndToEndLoad Saturation(bool quick) => new(quick ? 5_000 : 50_000, null, 5_000);
}
