using System.Diagnostics;
using System.Globalization;

namespace EventBus.Benchmarks.Harness;

/// <summary>
/// Runs every variant once per round: round 0 first (each variant's first full run in this process, reported
/// apart), then the measured rounds. The order moves by one place each round and is reversed every other round,
/// so every variant runs early and late and every pair runs in both orders.
/// </summary>
internal sealed class RoundRunner(IReadOnlyList<IVariant> variants, int measuredRounds)
{
    public static IReadOnlyList<int> Order(int variantCount, int round)
    {
        var order = Enumerable.Range(0, variantCount).Select(i => (i + round) % variantCount).ToList();
        if (round % 2 == 1)
        {
            order.Reverse();
        }

        return order;
    }

    public async Task<List<Measurement>> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        foreach (var variant in variants)
        {
            await variant.WarmUpAsync().ConfigureAwait(false);
        }

        Console.WriteLine($"warm-up (every client connected and sent one message): {clock.Elapsed.TotalSeconds:0.0} s");
        var results = new List<Measurement>();
        for (var round = 0; round <= measuredRounds; round++)
        {
            Console.WriteLine(round == 0 ? "round 0 (first round, reported apart)" : $"round {round} of {measuredRounds}");
            var order = Order(variants.Count, round);
            for (var position = 0; position < order.Count; position++)
            {
                var variant = variants[order[position]];
                var began = Stopwatch.GetTimestamp();
                var m = await variant.RunAsync(new RunContext(round, position)).ConfigureAwait(false);
                var wall = Stopwatch.GetElapsedTime(began).TotalSeconds;
                results.Add(m);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {position + 1,2}. {m.Variant}: {m.Rate:N0} msg/s, CPU {m.CpuMicrosPerMessage:0.00} µs/msg (clients {m.ClientCpuMicrosPerMessage:0.00}), {m.AllocatedBytesPerMessage:N0} B/msg{(m.P50Ms is { } p50 ? $", p50 {p50:0.000} ms" : string.Empty)} [{m.Seconds:0.00} s measured, {wall:0.0} s with setup]"));
            }
        }

        Console.WriteLine($"all rounds: {clock.Elapsed.TotalSeconds:0} s");
        return results;
    }
}
