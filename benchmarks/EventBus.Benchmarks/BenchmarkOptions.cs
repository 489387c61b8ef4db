using System.Globalization;

namespace EventBus.Benchmarks;

/// <summary>The command line: what to run, how much and how often.</summary>
internal sealed record BenchmarkOptions
{
    public const string Usage = """
        EventBus benchmarks: the wrapper against the raw Confluent client doing the same job, in one process.

        usage: dotnet run -c Release --project benchmarks/EventBus.Benchmarks -- [options]

          --quick                 smoke test (what .ci/run runs, about a minute): 10,000 messages, 1 round after the
                                  first; its ratios prove the harness runs, they are not a measurement
          --messages N            messages per throughput run, producer and consumer (default 300,000; at most 300,000)
          --rounds N              measured rounds after the first round (default 5); the first round is reported apart
          --window N              most messages in flight while publishing (default 50,000)
          --batch-size N          messages per PublishBatchAsync call (default 1,000)
          --sequential N          messages of the one-at-a-time latency variants (default 2,000)
          --handler-messages N    messages of the 1 ms-handler scaling variants (default 500)
          --no-telemetry          skip the variants with an ActivityListener and a MeterListener attached
          --only GROUP[,GROUP]    run only these groups: publish, latency, consume, scaling, e2e, pipeline (default all), e.g.
                                  --only publish --rounds 10 while working on the publish path; e2e is publish to
                                  handler, p50/p99 of the wrapper and of the raw client at 1,000 msg/s (5,000 messages
                                  a run) and at saturation (50,000, at most 5,000 in flight); pipeline
                                  is consume → publish, at-least-once against exactly-once (the
                                  consume topic's first 20,000 records a run)
          --broker BOOTSTRAP      a real broker instead of the in-process MockKafkaCluster (3 brokers);
                                  KAFKA_BOOTSTRAP_SERVERS does the same, other KAFKA_* variables are passed on
          --json PATH             where to write every round's numbers (default artifacts/benchmarks/latest.json,
                                  quick.json with --quick)
          --help                  this text
        """;

    public const int MaxMessages = 300_000;

    public bool Quick { get; init; }

    public bool Help { get; init; }

    public int Messages { get; init; } = MaxMessages;

    public int Rounds { get; init; } = 5;

    public int Window { get; init; } = 50_000;

    public int BatchSize { get; init; } = 1_000;

    public int SequentialMessages { get; init; } = 2_000;

    public int HandlerMessages { get; init; } = 500;

    public bool Telemetry { get; init; } = true;

    public IReadOnlySet<string> Groups { get; init; } = new HashSet<string>(Variants.VariantSet.GroupNames, StringComparer.Ordinal);

    public string? Broker { get; init; }

    public string JsonPath { get; init; } = Path.Combine("artifacts", "benchmarks", "latest.json");

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var quick = args.Contains("--quick");
        var options = quick
            ? new BenchmarkOptions
            {
                Quick = true,
                Messages = 10_000,
                Rounds = 1,
                Window = 5_000,
                SequentialMessages = 200,
                HandlerMessages = 100,
                JsonPath = Path.Combine("artifacts", "benchmarks", "quick.json"),
            }
            : new BenchmarkOptions();

        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--quick" => options,
                "--help" or "-h" => options with { Help = true },
                "--no-telemetry" => options with { Telemetry = false },
                "--messages" => options with { Messages = Count(args, ++i, 1, MaxMessages) },
                "--rounds" => options with { Rounds = Count(args, ++i, 1, 100) },
                "--window" => options with { Window = Count(args, ++i, 1, 1_000_000) },
                "--batch-size" => options with { BatchSize = Count(args, ++i, 1, 100_000) },
                "--sequential" => options with { SequentialMessages = Count(args, ++i, 1, 100_000) },
                "--handler-messages" => options with { HandlerMessages = Count(args, ++i, 1, 100_000) },
                "--only" => options with { Groups = GroupList(args, ++i) },
                "--broker" => options with { Broker = Text(args, ++i) },
                "--json" => options with { JsonPath = Text(args, ++i) },
                _ => throw new ArgumentException($"unknown option '{args[i]}'"),
            };
        }

        if (string.IsNullOrWhiteSpace(options.Broker) && Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS") is { Length: > 0 } bootstrap)
        {
            options = options with { Broker = bootstrap };
        }

        return options;
    }

    private static string Text(IReadOnlyList<string> args, int index) =>
        index < args.Count && !args[index].StartsWith("--", StringComparison.Ordinal)
            ? args[index]
            : throw new ArgumentException($"option '{args[index - 1]}' needs a value");

    private static HashSet<string> GroupList(IReadOnlyList<string> args, int index)
    {
        var groups = Text(args, index).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var unknown = groups.Except(Variants.VariantSet.GroupNames).ToList();
        return unknown.Count == 0 && groups.Count > 0
            ? groups
            : throw new ArgumentException($"option '--only' takes groups out of {string.Join(", ", Variants.VariantSet.GroupNames)}, not '{args[index]}'");
    }

    private static int Count(IReadOnlyList<string> args, int index, int min, int max)
    {
        var text = Text(args, index);
        if (!int.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal).Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
        {
            throw new ArgumentException($"option '{args[index - 1]}' takes a whole number from {min:N0} to {max:N0}, not '{text}'");
        }

        return value;
    }
}
