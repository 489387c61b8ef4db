using System.Text.Json;
using EventBus.Benchmarks.Harness;

namespace EventBus.Benchmarks.Report;

/// <summary>Every round's raw numbers, the summaries and the ratios, for later comparison (before/after tables).</summary>
internal static class JsonReport
{
    public static async Task WriteAsync(string path, BenchmarkOptions options, string broker, int recordBytes, int consumeMessages,
        IReadOnlyList<IReadOnlyList<string>> variantGroups, IReadOnlyList<Measurement> runs, Analysis analysis, TimeSpan duration)
    {
        var document = new
        {
            date = DateTimeOffset.UtcNow,
            mode = options.Quick ? "quick (smoke test, not a measurement)" : "full",
            durationSeconds = Math.Round(duration.TotalSeconds, 1),
            options = new { options.Messages, consumeMessages, measuredRounds = options.Rounds, options.Window, options.BatchSize, options.SequentialMessages, options.HandlerMessages, options.Telemetry, groups = options.Groups.Order() },
            machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString() },
            broker,
            recordBytes,
            cpu = "process CPU time (Environment.CpuUsage: user + system of every thread, the in-process mock broker's rdk:mock thread included; its share is mockBrokerCpu)",
            variantGroups,
            roundOrders = Enumerable.Range(0, options.Rounds + 1).Select(r => RoundRunner.Order(variantGroups, r)),
            runs = runs.Select(m => new
            {
                m.Variant,
                m.Round,
                m.Position,
                m.Messages,
                m.Seconds,
                m.CpuSeconds,
                m.MockBrokerCpuSeconds,
                m.AllocatedBytes,
                m.Gen0Collections,
                m.Gen1Collections,
                m.Gen2Collections,
                m.WindowWaits,
                m.OtherProcessesCores,
                m.StealCores,
                m.P50Ms,
                m.P99Ms,
                msgPerSecond = m.Rate,
                cpuMicrosPerMessage = m.CpuMicrosPerMessage,
                mockBrokerCpuMicrosPerMessage = m.MockBrokerCpuMicrosPerMessage,
                allocatedBytesPerMessage = m.AllocatedBytesPerMessage,
            }),
            variants = analysis.Variants.Select(v => new
            {
                v.Variant,
                v.Messages,
                msgPerSecond = v.Rate,
                cpuMicrosPerMessage = v.Cpu,
                mockBrokerCpuMicrosPerMessage = v.MockBrokerCpu,
                otherProcessesCores = v.OtherProcessesCores,
                windowWaits = v.WindowWaits,
                allocatedBytesPerMessage = v.Allocation,
                p50Ms = v.P50,
                p99Ms = v.P99,
                spreadRate = v.Rate.Spread,
                spreadCpu = v.Cpu.Spread,
            }),
            ratios = analysis.Ratios.Select(r => new
            {
                r.Ratio.Section,
                r.Ratio.Name,
                r.Ratio.Numerator,
                r.Ratio.Denominator,
                metric = r.Ratio.Metric.ToString(),
                kind = r.Ratio.IsDifference ? "difference" : "ratio",
                target = r.Ratio.Target?.ToString(),
                firstRound = r.FirstRound,
                measuredRounds = r.MeasuredRounds,
                median = r.Measured.Median,
                min = r.Measured.Min,
                max = r.Measured.Max,
                spread = r.Measured.Spread,
                met = options.Quick ? null : r.Met,
                decidedByEveryRound = r.Decided,
            }),
            firstRound = analysis.FirstRound.Select(d => new { ratio = d.Result.Ratio.Name, d.Result.FirstRound, laterMedian = d.Result.Measured.Median, driftPercent = d.Percent, met = options.Quick ? (bool?)null : d.Met }),
            telemetry = new { activities = TelemetryListeners.TotalActivities, measurements = TelemetryListeners.TotalMeasurements, instruments = TelemetryListeners.MaxInstruments },
        };

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
    }
}
