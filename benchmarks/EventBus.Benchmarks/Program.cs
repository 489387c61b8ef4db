using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventBus.Benchmarks;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Testing;

// Wrapper vs raw Confluent.Kafka on the same broker, in one process, alternating runs; prints medians and ratios.
var quick = args.Contains("--quick");
var jsonPath = ArgValue("--json") ?? Path.Combine("artifacts", "benchmarks", quick ? "quick.json" : "latest.json");
var rounds = int.Parse(ArgValue("--rounds") ?? (quick ? "1" : "5"), CultureInfo.InvariantCulture);
var produceCount = int.Parse(ArgValue("--messages") ?? (quick ? "10000" : "50000"), CultureInfo.InvariantCulture);
var consumeCount = produceCount;
var sequentialCount = quick ? 50 : 300;
var handlerCount = quick ? 400 : 2000;

var external = Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
await using var cluster = string.IsNullOrWhiteSpace(external) ? new MockKafkaCluster(3) : null;
var bootstrap = cluster?.BootstrapServers ?? external!;
var run = Guid.NewGuid().ToString("N")[..8];
Console.WriteLine($"EventBus benchmarks ({(quick ? "quick" : "full")}): {(cluster is null ? "broker " + bootstrap : "MockKafkaCluster 3 brokers")}, 6 partitions RF 3, ~{JsonSerializer.SerializeToUtf8Bytes(BenchmarkEvent.Create(1), BenchmarkJsonContext.Default.BenchmarkEvent).Length}-byte JSON records, 1,000 keys, {rounds} round(s)");

string NewTopic(string name)
{
    var topic = $"bench-{name}-{run}";
    cluster?.CreateTopic(topic, 6, 3);
    return topic;
}

EventBusOptions Options(string topic, string? group = null) => EventBusOptions.FromVariables(new Dictionary<string, string?>
{
    ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap,
    ["SERVICE_NAME"] = "bench",
    ["KAFKA_SECURITY_PROTOCOL"] = Environment.GetEnvironmentVariable("KAFKA_SECURITY_PROTOCOL") ?? "PLAINTEXT",
    ["KAFKA_TOPIC_BENCH"] = topic,
    ["KAFKA_CONSUMER_GROUP"] = group,
});

var results = new List<Measurement>();
var produceTopic = NewTopic("produce");
var options = Options(produceTopic);
var producerConfig = KafkaClientConfigFactory.CreateProducerConfig(options);

// --- producer -------------------------------------------------------------------------------------------------
// The strict baseline: the raw client doing the wrapper's job — the same four headers built per message, and
// delivery reports without key/value/headers copied back, as EventProducer configures them.
var sameJobConfig = new ProducerConfig(new Dictionary<string, string>(producerConfig)) { DeliveryReportFields = "timestamp,status" };
const string SameJob = "raw Produce + delivery handler, same 4 headers + delivery.report.fields";
using (var raw = new ProducerBuilder<string, byte[]>(producerConfig).Build())
using (var rawSameJob = new ProducerBuilder<string, byte[]>(sameJobConfig).Build())
await using (var producer = new EventProducer(options))
{
    // Warm all up (connections, metadata, JIT) before measuring.
    await raw.ProduceAsync(produceTopic, new Message<string, byte[]> { Key = "warm", Value = [1] });
    await rawSameJob.ProduceAsync(produceTopic, new Message<string, byte[]> { Key = "warm", Value = [1] });
    await producer.PublishAsync("BENCH", BenchmarkEvent.Create(0), BenchmarkJsonContext.Default.BenchmarkEvent, "warm");

    for (var round = 0; round < rounds; round++)
    {
        results.Add(Measure("raw Produce + delivery handler", produceCount, () =>
        {
            var delivered = 0;
            Action<DeliveryReport<string, byte[]>> handler = r => { if (!r.Error.IsError) { Interlocked.Increment(ref delivered); } };
            for (var i = 0; i < produceCount; i++)
            {
                raw.Produce(produceTopic, new Message<string, byte[]> { Key = "key-" + (i % 1000), Value = Serialize(i) }, handler);
            }

            raw.Flush(TimeSpan.FromMinutes(2));
            Check(delivered == produceCount, "raw Produce delivered everything");
            return Task.CompletedTask;
        }));
        results.Add(Measure(SameJob, produceCount, () =>
        {
            var delivered = 0;
            var source = Encoding.UTF8.GetBytes("bench");
            var json = Encoding.ASCII.GetBytes("application/json");
            Action<DeliveryReport<string, byte[]>> handler = r => { if (!r.Error.IsError) { Interlocked.Increment(ref delivered); } };
            for (var i = 0; i < produceCount; i++)
            {
                var headers = new Headers
                {
                    { "timestamp", Encoding.ASCII.GetBytes(DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)) },
                    { "source", source },
                    { "message-id", Encoding.ASCII.GetBytes(Guid.NewGuid().ToString("N")) },
                    { "content-type", json },
                };
                rawSameJob.Produce(produceTopic, new Message<string, byte[]> { Key = "key-" + (i % 1000), Value = Serialize(i), Headers = headers }, handler);
            }

            rawSameJob.Flush(TimeSpan.FromMinutes(2));
            Check(delivered == produceCount, "raw Produce with headers delivered everything");
            return Task.CompletedTask;
        }));
        results.Add(Measure("raw ProduceAsync, many in flight", produceCount, async () =>
        {
            var tasks = new Task[produceCount];
            for (var i = 0; i < produceCount; i++)
            {
                tasks[i] = raw.ProduceAsync(produceTopic, new Message<string, byte[]> { Key = "key-" + (i % 1000), Value = Serialize(i) });
            }

            await Task.WhenAll(tasks);
        }));
        results.Add(Measure("EventProducer.PublishAsync, many in flight", produceCount, async () =>
        {
            var tasks = new Task[produceCount];
            for (var i = 0; i < produceCount; i++)
            {
                tasks[i] = producer.PublishAsync("BENCH", BenchmarkEvent.Create(i), BenchmarkJsonContext.Default.BenchmarkEvent, "key-" + (i % 1000));
            }

            await Task.WhenAll(tasks);
        }));
        results.Add(Measure("EventProducer.PublishBatchAsync (1,000 per batch, 8 batches in flight)", produceCount, async () =>
        {
            // Batches of 1,000 with up to 8 in flight: a batch waits for its slowest message, so one-at-a-time
            // batches would measure linger.ms + a round trip per batch, not the library.
            using var slots = new SemaphoreSlim(8);
            var batches = new List<Task>();
            for (var start = 0; start < produceCount; start += 1000)
            {
                var batch = Enumerable.Range(start, Math.Min(1000, produceCount - start))
                    .Select(i => new EventMessage<BenchmarkEvent>(BenchmarkEvent.Create(i), "key-" + (i % 1000))).ToList();
                await slots.WaitAsync();
                batches.Add(Task.Run(async () =>
                {
                    try
                    {
                        var result = await producer.PublishBatchAsync("BENCH", batch, BenchmarkJsonContext.Default.BenchmarkEvent);
                        Check(result.AllSucceeded, "batch published");
                    }
                    finally
                    {
                        slots.Release();
                    }
                }));
            }

            await Task.WhenAll(batches);
        }));
        results.Add(MeasureSequential("raw sequential await ProduceAsync", sequentialCount, i =>
            raw.ProduceAsync(produceTopic, new Message<string, byte[]> { Key = "key-" + (i % 1000), Value = Serialize(i) })));
        results.Add(MeasureSequential("EventProducer.Publish (synchronous), sequential", sequentialCount, i =>
        {
            producer.Publish("BENCH", BenchmarkEvent.Create(i), BenchmarkJsonContext.Default.BenchmarkEvent, "key-" + (i % 1000));
            return Task.CompletedTask;
        }));
        results.Add(MeasureSequential("raw Produce then Flush, per message", sequentialCount, i =>
        {
            raw.Produce(produceTopic, new Message<string, byte[]> { Key = "key-" + (i % 1000), Value = Serialize(i) });
            raw.Flush(TimeSpan.FromSeconds(30));
            return Task.CompletedTask;
        }));
    }
}

// --- consumer -------------------------------------------------------------------------------------------------
var consumeTopic = NewTopic("consume");
using (var filler = new ProducerBuilder<string, byte[]>(producerConfig).Build())
{
    for (var i = 0; i < consumeCount; i++)
    {
        filler.Produce(consumeTopic, new Message<string, byte[]> { Key = "key-" + (i % 1000), Value = Serialize(i) });
    }

    filler.Flush(TimeSpan.FromMinutes(2));
}

for (var round = 0; round < rounds; round++)
{
    results.Add(await MeasureRawConsumeAsync(consumeTopic, consumeCount));
    results.Add(await MeasureEventConsumerAsync("EventConsumer no-op, MaxConcurrency 1", consumeTopic, consumeCount, 1, OrderingMode.Partition, TimeSpan.Zero));
    results.Add(await MeasureEventConsumerAsync("EventConsumer no-op, MaxConcurrency 4", consumeTopic, consumeCount, 4, OrderingMode.Partition, TimeSpan.Zero));
    foreach (var concurrency in new[] { 1, 4, 16 })
    {
        results.Add(await MeasureEventConsumerAsync($"EventConsumer 1 ms handler, MaxConcurrency {concurrency}", consumeTopic, handlerCount, concurrency, OrderingMode.Key, TimeSpan.FromMilliseconds(1)));
    }
}

// --- report ---------------------------------------------------------------------------------------------------
var medians = results.GroupBy(r => r.Variant).ToDictionary(
    g => g.Key,
    g => new Measurement(g.Key, g.First().Messages, Median(g.Select(m => m.Seconds)), Median(g.Select(m => m.AllocatedBytesPerMessage)),
        g.First().P50Ms is null ? null : Median(g.Select(m => m.P50Ms!.Value)), g.First().P99Ms is null ? null : Median(g.Select(m => m.P99Ms!.Value))));

Console.WriteLine();
Console.WriteLine($"| variant | messages | msg/s (median) | p50 ms | p99 ms | alloc B/msg |");
Console.WriteLine($"|---|---:|---:|---:|---:|---:|");
foreach (var m in medians.Values)
{
    Console.WriteLine($"| {m.Variant} | {m.Messages:N0} | {m.Rate:N0} | {Fmt(m.P50Ms)} | {Fmt(m.P99Ms)} | {m.AllocatedBytesPerMessage:N0} |");
}

var ratios = new (string Name, string Wrapper, string Raw, double Target, bool HigherIsBetter, Func<Measurement, double> Metric)[]
{
    ("PublishAsync / raw Produce+handler (throughput)", "EventProducer.PublishAsync, many in flight", "raw Produce + delivery handler", 0.90, true, m => m.Rate),
    ("PublishAsync / raw doing the same job (throughput)", "EventProducer.PublishAsync, many in flight", SameJob, 0.90, true, m => m.Rate),
    ("PublishBatchAsync / raw Produce+handler (throughput)", "EventProducer.PublishBatchAsync (1,000 per batch, 8 batches in flight)", "raw Produce + delivery handler", 0.95, true, m => m.Rate),
    ("PublishBatchAsync / raw doing the same job (throughput)", "EventProducer.PublishBatchAsync (1,000 per batch, 8 batches in flight)", SameJob, 0.95, true, m => m.Rate),
    ("raw with the 4 headers / raw without (the headers' own cost)", SameJob, "raw Produce + delivery handler", 0, true, m => m.Rate),
    ("Publish p50 / raw sequential ProduceAsync p50 (latency)", "EventProducer.Publish (synchronous), sequential", "raw sequential await ProduceAsync", 1.20, false, m => m.P50Ms ?? 0),
    ("Publish / Produce-then-Flush (throughput)", "EventProducer.Publish (synchronous), sequential", "raw Produce then Flush, per message", 10, true, m => m.Rate),
    ("EventConsumer no-op c1 / raw loop (throughput)", "EventConsumer no-op, MaxConcurrency 1", "raw Consume loop, sync commit every 1,000", 0.90, true, m => m.Rate),
    ("EventConsumer 1 ms c16 / c1 (throughput)", "EventConsumer 1 ms handler, MaxConcurrency 16", "EventConsumer 1 ms handler, MaxConcurrency 1", 8, true, m => m.Rate),
};
Console.WriteLine();
Console.WriteLine("| ratio | value | target | met |");
Console.WriteLine("|---|---:|---:|:---:|");
var ratioResults = new List<object>();
foreach (var (name, wrapper, rawName, target, higher, metric) in ratios)
{
    var value = metric(medians[wrapper]) / metric(medians[rawName]);
    var met = higher ? value >= target : value <= target;
    Console.WriteLine(target == 0
        ? $"| {name} | {value:0.00} | (context) | |"
        : $"| {name} | {value:0.00} | {(higher ? "≥ " : "≤ ")}{target:0.##} | {(met ? "yes" : "NO")} |");
    ratioResults.Add(new { name, value, target, higherIsBetter = higher, met });
}

foreach (var (wrapper, rawName) in new[]
{
    ("EventProducer.PublishAsync, many in flight", "raw Produce + delivery handler"),
    ("EventProducer.PublishAsync, many in flight", SameJob),
    ("EventProducer.PublishBatchAsync (1,000 per batch, 8 batches in flight)", SameJob),
    ("EventConsumer no-op, MaxConcurrency 1", "raw Consume loop, sync commit every 1,000"),
})
{
    var extra = medians[wrapper].AllocatedBytesPerMessage - medians[rawName].AllocatedBytesPerMessage;
    Console.WriteLine($"allocations: {wrapper} uses {extra:+0;-0} B/msg over {rawName} (target ≤ +256)");
    ratioResults.Add(new { name = "allocations: " + wrapper, value = extra, target = 256.0, higherIsBetter = false, met = extra <= 256 });
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!);
await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(new
{
    date = DateTimeOffset.UtcNow,
    quick,
    rounds,
    machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString() },
    broker = cluster is null ? bootstrap : "MockKafkaCluster(3)",
    runs = results,
    medians = medians.Values.Select(m => new { m.Variant, m.Messages, m.Rate, m.P50Ms, m.P99Ms, m.AllocatedBytesPerMessage }),
    ratios = ratioResults,
}, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"JSON: {jsonPath}");
return 0;

static byte[] Serialize(int i) => JsonSerializer.SerializeToUtf8Bytes(BenchmarkEvent.Create(i), BenchmarkJsonContext.Default.BenchmarkEvent);

static Measurement Measure(string variant, int count, Func<Task> body)
{
    GC.Collect();
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var stopwatch = Stopwatch.StartNew();
    body().GetAwaiter().GetResult();
    stopwatch.Stop();
    var perMessage = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count;
    var m = new Measurement(variant, count, stopwatch.Elapsed.TotalSeconds, perMessage);
    Console.WriteLine($"  {variant}: {m.Rate:N0} msg/s, {perMessage:N0} B/msg");
    return m;
}

static Measurement MeasureSequential(string variant, int count, Func<int, Task> body)
{
    var latencies = new double[count];
    GC.Collect();
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var total = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        var one = Stopwatch.StartNew();
        body(i).GetAwaiter().GetResult();
        latencies[i] = one.Elapsed.TotalMilliseconds;
    }

    total.Stop();
    Array.Sort(latencies);
    var m = new Measurement(variant, count, total.Elapsed.TotalSeconds, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count,
        latencies[count / 2], latencies[Math.Min(count - 1, (int)(count * 0.99))]);
    Console.WriteLine($"  {variant}: {m.Rate:N0} msg/s, p50 {m.P50Ms:0.00} ms, p99 {m.P99Ms:0.00} ms");
    return m;
}

async Task<Measurement> MeasureRawConsumeAsync(string topic, int count)
{
    var config = KafkaClientConfigFactory.CreateConsumerConfig(Options(topic, "bench-raw-" + Guid.NewGuid().ToString("N")));
    using var consumer = new ConsumerBuilder<string, byte[]>(config).Build();
    consumer.Subscribe(topic);
    var received = 0;
    var offsets = new Dictionary<TopicPartition, TopicPartitionOffset>();
    var stopwatch = new Stopwatch();
    long allocated = 0;
    while (received < count)
    {
        var result = consumer.Consume(TimeSpan.FromSeconds(1));
        if (result is null)
        {
            continue;
        }

        if (received == 0)
        {
            GC.Collect();
            allocated = GC.GetTotalAllocatedBytes(precise: true);
            stopwatch.Start();
        }

        _ = JsonSerializer.Deserialize(result.Message.Value, BenchmarkJsonContext.Default.BenchmarkEvent);
        offsets[result.TopicPartition] = new TopicPartitionOffset(result.TopicPartition, result.Offset + 1);
        if (++received % 1000 == 0)
        {
            consumer.Commit(offsets.Values);
        }
    }

    consumer.Commit(offsets.Values);
    stopwatch.Stop();
    var m = new Measurement("raw Consume loop, sync commit every 1,000", count, stopwatch.Elapsed.TotalSeconds, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count);
    consumer.Close();
    Console.WriteLine($"  {m.Variant}: {m.Rate:N0} msg/s, {m.AllocatedBytesPerMessage:N0} B/msg");
    await Task.CompletedTask;
    return m;
}

async Task<Measurement> MeasureEventConsumerAsync(string variant, string topic, int count, int concurrency, OrderingMode ordering, TimeSpan handlerDelay)
{
    var handled = 0;
    var stopwatch = new Stopwatch();
    long allocated = 0;
    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    await using var consumer = new EventConsumerBuilder(Options(topic, "bench-" + Guid.NewGuid().ToString("N")))
        .Configure(o =>
        {
            o.MaxConcurrency = concurrency;
            o.Ordering = ordering;
        })
        .AddHandler("BENCH", async (EventContext<BenchmarkEvent> _, CancellationToken ct) =>
        {
            if (handlerDelay > TimeSpan.Zero)
            {
                await Task.Delay(handlerDelay, ct);
            }

            var n = Interlocked.Increment(ref handled);
            if (n == 1)
            {
                allocated = GC.GetTotalAllocatedBytes(precise: false);
                stopwatch.Start();
            }
            else if (n == count)
            {
                stopwatch.Stop();
                done.TrySetResult();
            }
        }, BenchmarkJsonContext.Default.BenchmarkEvent)
        .Build();
    consumer.Start();
    await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
    var perMessage = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count;
    var m = new Measurement(variant, count, stopwatch.Elapsed.TotalSeconds, perMessage);
    Console.WriteLine($"  {variant}: {m.Rate:N0} msg/s, {perMessage:N0} B/msg");
    return m;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string Fmt(double? value) => value is null ? "" : value.Value.ToString("0.00", CultureInfo.InvariantCulture);

static void Check(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException("Benchmark check failed: " + what);
    }
}

string? ArgValue(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
