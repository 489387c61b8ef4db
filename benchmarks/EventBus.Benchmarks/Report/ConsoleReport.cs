using System.Globalization;

namespace EventBus.Benchmarks.Report;

/// <summary>The tables printed at the end (Markdown, so they can go into the README as they are).</summary>
internal static class ConsoleReport
{
    public const double WideSpread = 0.05;

    public static string SmokeTestBanner(int messages, int rounds) =>
        $"QUICK MODE: a smoke test of the harness ({messages:N0} messages, {rounds} measured round(s)), not a measurement. " +
        "Its ratios only show that every variant runs; they are not compared with the targets. Run without --quick to measure.";

    public static void Print(Analysis analysis, bool quick, int measuredRounds, bool mockBroker)
    {
        var rounds = measuredRounds == 1 ? "round 1" : $"rounds 1–{measuredRounds}";
        Line();
        Line($"Variants: median of {rounds} (min–max). CPU is the process's, per message; \"mock broker\" is the part of it spent by the in-process");
        Line("broker's thread; \"others\" is how many cores other processes kept busy meanwhile (the machine is shared).");
        Line();
        Line("| variant | msgs | msg/s | spread | CPU µs/msg | spread | mock broker µs/msg | alloc B/msg | p50 ms | p99 ms | others, cores |");
        Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var v in analysis.Variants)
        {
            Line($"| {v.Variant} | {v.Messages:N0} | {Range(v.Rate, "N0")} | {Spread(v.Rate)} | {Range(v.Cpu, "0.00")} | {Spread(v.Cpu)} | {(mockBroker ? Fmt(v.MockBrokerCpu.Median, "0.00") : "n/a")} | {Range(v.Allocation, "N0")} | {Opt(v.P50, "0.000")} | {Opt(v.P99, "0.000")} | {Range(v.OtherProcessesCores, "0.0")} |");
        }

        Line();
        Line("Round 0 (the first round: each variant's first full run in this process; not in the medians):");
        Line();
        Line("| variant | place in round 0 | msg/s | CPU µs/msg | alloc B/msg | p50 ms | others, cores |");
        Line("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var v in analysis.Variants.OrderBy(v => v.FirstRound.Position))
        {
            var m = v.FirstRound;
            Line($"| {v.Variant} | {m.Position + 1} | {m.Rate:N0} | {m.CpuMicrosPerMessage:0.00} | {m.AllocatedBytesPerMessage:N0} | {(m.P50Ms is { } p ? Fmt(p, "0.000") : string.Empty)} | {m.OtherProcessesCores:0.0} |");
        }

        Line();
        if (quick)
        {
            Line("Ratios (paired within each round) — SMOKE TEST ONLY, not compared with the targets:");
            Line();
            Line("| ratio | target (for full runs) | round 0 | median | min–max |");
            Line("|---|---:|---:|---:|---:|");
        }
        else
        {
            Line($"Ratios, paired within each round (the wrapper against its baseline in the same round): median of {rounds}, min–max; round 0 apart.");
            Line("Spread = (max − min) ÷ median; above 5 % it is in bold, and it is the tolerance for before/after comparisons. A verdict");
            Line("is judged on the median; where the target lies inside min–max (some rounds meet it, some not), the verdict says so.");
            Line();
            Line("| ratio | target | round 0 | median | min–max | spread | target met |");
            Line("|---|---:|---:|---:|---:|---:|:---:|");
        }

        foreach (var r in analysis.Ratios)
        {
            var format = r.Ratio.IsDifference ? "+0;-0;0" : "0.00";
            var target = r.Ratio.Target?.ToString() ?? "(context)";
            var common = $"| {r.Ratio.Name} | {target} | {Fmt(r.FirstRound, format)} | {Fmt(r.Measured.Median, format)} | {Fmt(r.Measured.Min, format)} – {Fmt(r.Measured.Max, format)} |";
            Line(quick ? common : $"{common} {(r.Ratio.IsDifference ? "n/a" : Spread(r.Measured))} | {Verdict(r.Met, r.Decided)} |");
        }

        Line();
        foreach (var drift in analysis.FirstRound)
        {
            var r = drift.Result;
            Line($"first round: {r.Ratio.Name} was {r.FirstRound:0.00} in round 0 against {r.Measured.Median:0.00} later ({drift.Percent:+0.0;-0.0} %; target within {Ratio.FirstRoundTarget.Limit:0} %){(quick ? string.Empty : ": " + Verdict(drift.Met))}");
        }

        if (!quick)
        {
            var spreads = analysis.Variants.SelectMany(v => new[] { v.Rate, v.Cpu }).Concat(analysis.Ratios.Where(r => !r.Ratio.IsDifference).Select(r => r.Measured)).ToList();
            var wide = spreads.Count(s => s.Spread > WideSpread);
            Line(wide == 0
                ? "Every spread across the measured rounds is within 5 %."
                : $"{wide} of {spreads.Count} spreads across the measured rounds are wider than 5 % (in bold): for those, that spread, not 5 %, is the tolerance of a before/after comparison.");
        }
    }

    private static string Verdict(bool? met, bool decided = true) => met switch
    {
        null => string.Empty,
        _ when !decided => $"{(met.Value ? "met" : "not met")} by the median; target inside min–max",
        true => "met",
        false => "not met",
    };

    private static string Range(Summary s, string format) =>
        s.Count > 1 ? $"{Fmt(s.Median, format)} ({Fmt(s.Min, format)}–{Fmt(s.Max, format)})" : Fmt(s.Median, format);

    private static string Spread(Summary s)
    {
        if (s.Count < 2)
        {
            return string.Empty;
        }

        var text = $"{s.Spread * 100:0.0} %";
        return s.Spread > WideSpread ? $"**{text}**" : text;
    }

    private static string Opt(Summary? s, string format) => s is { } v ? Range(v, format) : string.Empty;

    private static string Fmt(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static void Line(string text = "") => Console.WriteLine(text);
}
