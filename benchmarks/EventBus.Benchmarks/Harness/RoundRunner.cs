using System.Diagnostics;
using System.Globalization;

namespace EventBus.Benchmarks.Harness;

/// <summary>
/// Runs every variant once per round: round 0 first (each variant's first full run in this process, reported
/// apart), then the measured rounds. Variants come in groups (a wrapper call with its baselines); a group's
/// variants always run together, so a pair is measured close in time. Each round the order moves by one place,
/// of the groups and within each group, and every other round it is reversed: every variant runs early and late,
/// and every pair runs in both orders.
/// </summary>
internal sealed class RoundRunner(IReadOnlyList<IReadOnlyList<IVariant>> groups, int measuredRounds)
{
    /// <summary>The variants of <paramref name="groups"/> in the order of round <paramref name="round"/>.</summary>
    public static IReadOnlyList<T> Order<T>(IReadOnlyList<IReadOnlyList<T>> groups, int round) =>
        Rotate(groups, round).SelectMany(group => Rotate(group, round)).ToList();

    private static List<T> Rotate<T>(IReadOnlyList<T> items, int round)
    {
        var rotated = Enumerable.Range(0, items.Count).Select(i => items[(i + round) % items.Count]).ToList();
        if (round % 2 == 1)
        {
            rotated.Reverse();
        }

        return rotated;
    }

    public async Task<List<Measurement>> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        foreach (var variant in groups.SelectMany(g => g))
        {
            await variant.WarmUpAsync().ConfigureAwait(false);
        }

        Console.WriteLine($"warm-up (every client connected and sent one message): {clock.Elapsed.TotalSeconds:0.0} s");
        var results = new List<Measurement>();
        for (var round = 0; round <= measuredRounds; round++)
        {
            Console.WriteLine(round == 0 ? "round 0 (first round, reported apart)" : $"round {round} of {measuredRounds}");
            var order = Order(groups, round);
            for (var position = 0; position < order.Count; position++)
            {
                var variant = order[position];
                var began = Stopwatch.GetTimestamp();
                var m = await variant.RunAsync(new RunContext(round, position)).ConfigureAwait(false);
                var wall = Stopwatch.GetElapsedTime(began).TotalSeconds;
                results.Add(m);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {position + 1,2}. {m.Variant}: {m.Rate:N0} msg/s, CPU {m.CpuMicrosPerMessage:0.00} µs/msg, {m.AllocatedBytesPerMessage:N0} B/msg{(m.P50Ms is { } p50 ? $", p50 {p50:0.000} ms" : string.Empty)} [{m.Seconds:0.00} s, {wall:0.0} s with setup; other processes {m.OtherProcessesCores:0.0} cores]"));
            }
        }

        Console.WriteLine($"all rounds: {clock.Elapsed.TotalSeconds:0} s");
        return results;
    }
}
