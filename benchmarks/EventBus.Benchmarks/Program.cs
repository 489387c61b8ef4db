using System.Diagnostics;
using System.Globalization;
using EventBus.Benchmarks;
using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Report;
using EventBus.Benchmarks.Variants;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;

// The wrapper against the raw Confluent client doing the same job, in one process, on the same broker: a warm-up,
// round 0 (reported apart), then the measured rounds with the order rotated; ratios paired within each round.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;
}

try
{
    var clock = Stopwatch.StartNew();
    if (options.Quick)
    {
        Console.WriteLine(ConsoleReport.SmokeTestBanner(options.Messages, options.Rounds));
    }

    await using var cluster = new BenchmarkCluster(options.Broker);
    var produceTopic = await cluster.CreateTopicAsync("produce");
    var consumeTopic = VariantSet.NeedsConsumeTopic(options) ? await cluster.CreateTopicAsync("consume") : null;
    var consumeMessages = consumeTopic is null ? 0 : ConsumeTopic.Fill(cluster, consumeTopic, options.Messages);
    var producerConfig = KafkaClientConfigFactory.CreateProducerConfig(cluster.Options(produceTopic));
    Console.WriteLine(
        $"EventBus benchmarks ({(options.Quick ? "quick" : "full")}): {cluster.Description}; {BenchmarkCluster.Partitions} partitions, RF 3; " +
        $"{Payload.SerializedSize}-byte JSON records, {Payload.KeyCount:N0} keys; acks={producerConfig.Acks}, idempotence={producerConfig.EnableIdempotence}, " +
        $"compression={producerConfig.CompressionType}, linger.ms={producerConfig.LingerMs}; {options.Messages:N0} messages per producer run " +
        $"({consumeMessages:N0} per consumer run), at most {options.Window:N0} in flight, batches of {options.BatchSize:N0}; {options.SequentialMessages:N0} one at a time; " +
        $"{options.HandlerMessages:N0} with a 1 ms handler; telemetry listeners {(options.Telemetry ? "on (extra variants)" : "off")}; " +
        $"groups: {string.Join(", ", VariantSet.GroupNames.Where(options.Groups.Contains))}; round 0 + {options.Rounds} measured round(s); {Environment.ProcessorCount} cores");

    var groups = VariantSet.Create(cluster, produceTopic, consumeTopic, consumeMessages, options);
    List<Measurement> runs;
    try
    {
        runs = await new RoundRunner(groups, options.Rounds).RunAsync();
    }
    finally
    {
        foreach (var variant in groups.SelectMany(g => g))
        {
            await variant.DisposeAsync();
        }
    }

    var names = groups.Select(g => (IReadOnlyList<string>)g.Select(v => v.Name).ToList()).ToList();
    var analysis = Analysis.Of(runs, names.SelectMany(g => g));
    ConsoleReport.Print(analysis, options.Quick, options.Rounds, cluster.IsMock);
    if (options.Telemetry)
    {
        Console.WriteLine(TelemetryListeners.TotalActivities == 0 && TelemetryListeners.TotalMeasurements == 0
            ? $"telemetry: the listeners saw no activity and no measurement from \"{TelemetryListeners.SourceName}\": the listener variants measured nothing more than the plain ones."
            : $"telemetry: the listeners saw {TelemetryListeners.TotalActivities:N0} activities and {TelemetryListeners.TotalMeasurements:N0} measurements from {TelemetryListeners.MaxInstruments} instruments of \"{TelemetryListeners.SourceName}\".");
    }

    await JsonReport.WriteAsync(options.JsonPath, options, cluster.Description, Payload.SerializedSize, consumeMessages, names, runs, analysis, clock.Elapsed);
    Console.WriteLine($"JSON: {options.JsonPath}");
    Console.WriteLine($"total time: {clock.Elapsed.TotalSeconds:0} s");
    if (options.Quick)
    {
        Console.WriteLine(ConsoleReport.SmokeTestBanner(options.Messages, options.Rounds));
    }
}
catch (Exception ex) when (ex is Confluent.Kafka.KafkaException or TimeoutException or InvalidOperationException)
{
    Console.Error.WriteLine($"benchmark stopped: {ex.GetType().Name}: {ex.Message}");
    return 1;
}

return 0;
