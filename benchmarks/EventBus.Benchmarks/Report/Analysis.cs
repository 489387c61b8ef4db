using EventBus.Benchmarks.Harness;

namespace EventBus.Benchmarks.Report;

/// <summary>One variant over the measured rounds (round 0 apart).</summary>
internal sealed record VariantSummary(
    string Variant,
    int Messages,
    Measurement FirstRound,
    Summary Rate,
    Summary Cpu,
    Summary MockBrokerCpu,
    Summary Allocation,
    Summary? P50,
    Summary? P99,
    double WindowWaits,
    Summary OtherProcessesCores);

/// <summary>One ratio: its value in every round, the first round apart, the measured rounds summarized.</summary>
internal sealed record RatioResult(Ratio Ratio, double FirstRound, IReadOnlyList<double> MeasuredRounds, Summary Measured)
{
    public bool? Met => Ratio.Target?.IsMet(Measured.Median);

    /// <summary>
    /// Whether the rounds decide it: false when the target lies inside the measured rounds' min–max, so that some
    /// rounds meet it and some do not (the median alone then says little on a noisy machine).
    /// </summary>
    public bool Decided => Ratio.Target is not { } target || target.IsMet(Measured.Min) == target.IsMet(Measured.Max);
}

/// <summary>How far a ratio's first round lies from its later rounds: first ÷ median − 1, in percent.</summary>
internal sealed record FirstRoundDrift(RatioResult Result)
{
    public double Percent => ((Result.FirstRound / Result.Measured.Median) - 1) * 100;

    public bool Met => Ratio.FirstRoundTarget.IsMet(Math.Abs(Percent));
}

internal sealed record Analysis(IReadOnlyList<VariantSummary> Variants, IReadOnlyList<RatioResult> Ratios, IReadOnlyList<FirstRoundDrift> FirstRound)
{
    public static Analysis Of(IReadOnlyList<Measurement> runs, IEnumerable<string> variantOrder)
    {
        var byVariant = runs.GroupBy(r => r.Variant).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Round).ToList());
        var variants = variantOrder.Where(byVariant.ContainsKey).Select(name =>
        {
            var all = byVariant[name];
            var measured = all.Where(r => r.Round > 0).ToList();
            var hasLatency = all[0].P50Ms is not null;
            return new VariantSummary(
                name,
                all[0].Messages,
                all[0],
                Summary.Of(measured.Select(r => r.Rate)),
                Summary.Of(measured.Select(r => r.CpuMicrosPerMessage)),
                Summary.Of(measured.Select(r => r.MockBrokerCpuMicrosPerMessage)),
                Summary.Of(measured.Select(r => r.AllocatedBytesPerMessage)),
                hasLatency ? Summary.Of(measured.Select(r => r.P50Ms!.Value)) : null,
                hasLatency ? Summary.Of(measured.Select(r => r.P99Ms!.Value)) : null,
                Summary.Of(measured.Select(r => (double)r.WindowWaits)).Median,
                Summary.Of(measured.Select(r => r.OtherProcessesCores)));
        }).ToList();

        var ratios = new List<RatioResult>();
        foreach (var ratio in Ratio.All)
        {
            if (!byVariant.TryGetValue(ratio.Numerator, out var numerator) || !byVariant.TryGetValue(ratio.Denominator, out var denominator))
            {
                continue;
            }

            // Paired: the numerator against the denominator of the same round.
            var perRound = numerator.Join(denominator, n => n.Round, d => d.Round, (n, d) => (n.Round, Value: ratio.Of(n, d))).OrderBy(p => p.Round).ToList();
            var measured = perRound.Where(p => p.Round > 0).Select(p => p.Value).ToList();
            ratios.Add(new RatioResult(ratio, perRound[0].Value, measured, Summary.Of(measured)));
        }

        var firstRound = ratios.Where(r => Ratio.FirstRoundChecked.Contains(r.Ratio.Name)).Select(r => new FirstRoundDrift(r)).ToList();
        return new Analysis(variants, ratios, firstRound);
    }
}
