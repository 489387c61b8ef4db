using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.IntegrationTests.Infrastructure;

namespace EventBus.Kafka.IntegrationTests.ExactlyOnce;

/// <summary>
/// A consume → publish pipeline for the exactly-once tests: an input topic of N records (values 0..N-1), a handler that
/// publishes one output per input through <see cref="EventContext{T}.Producer"/>, and a read_committed reader that
/// counts the outputs: produced, handled (distinct inputs seen in the outputs), lost and duplicated.
/// </summary>
internal sealed class ExactlyOncePipeline
{
    private readonly KafkaTestBroker _broker;

    private ExactlyOncePipeline(KafkaTestBroker broker, string name)
    {
        _broker = broker;
        Input = KafkaTestBroker.UniqueTopic(name + "-in");
        Output = Input.Replace("-in-", "-out-", StringComparison.Ordinal);
        DeadLetters = Input.Replace("-in-", "-dlq-", StringComparison.Ordinal);
        Group = "g-" + Input;
    }

    public string Input { get; }

    public string Output { get; }

    public string DeadLetters { get; }

    public string Group { get; }

    /// <summary>Gets how many times a handler ran, across every instance (redeliveries included).</summary>
    public ConcurrentDictionary<int, int> HandlerCalls { get; } = new();

    /// <summary>Creates the topics (RF 3, min ISR 2 where the cluster has 3 brokers) and writes the inputs.</summary>
    public static async Task<ExactlyOncePipeline> CreateAsync(KafkaTestBroker broker, string name, int inputs, int partitions = 6)
    {
        var pipeline = new ExactlyOncePipeline(broker, name);
        foreach (var topic in new[] { pipeline.Input, pipeline.Output, pipeline.DeadLetters })
        {
            await broker.CreateTopicAsync(topic, topic == pipeline.Input ? partitions : 3, 3);
        }

        if (broker.BrokerCount >= 3 && broker.Kit is not null)
        {
            foreach (var topic in new[] { pipeline.Output, pipeline.DeadLetters })
            {
                await broker.Kit.ToolAsync("kafka-configs.sh", "--zookeeper", broker.Kit.ZookeeperConnect, "--alter", "--entity-type", "topics",
                    "--entity-name", topic, "--add-config", "min.insync.replicas=2");
            }
        }

        TestData.Produce(broker.BootstrapServers, pipeline.Input, 0, inputs, keys: 60);
        return pipeline;
    }

    /// <summary>The options of one instance: exactly-once, a fast group, a short commit cycle.</summary>
    public EventBusOptions Options(params (string Name, string Value)[] extra) => _broker.CreateOptions(
        "eos-svc",
        [
            ("KAFKA_TOPIC_IN", Input), ("KAFKA_TOPIC_OUT", Output), ("KAFKA_TOPIC_DLQ", DeadLetters), ("KAFKA_CONSUMER_GROUP", Group),
            ("KAFKA_CONSUMER_EXACTLY_ONCE", "true"), ("KAFKA_CONSUMER_TRANSACTION_INTERVAL_MS", "50"),
            ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "500"),
            .. extra,
        ]);

    /// <summary>Builds an instance whose handler publishes the input's value to OUT, keyed by the input's key.</summary>
    public EventConsumer Build(EventBusOptions options, Action<EventConsumerOptions>? configure = null, Func<EventContext<int>, Task>? before = null) =>
        new EventConsumerBuilder(options)
            .Configure(o =>
            {
                o.MaxConcurrency = 4;
                o.Ordering = OrderingMode.Key;
                o.ShutdownTimeout = TimeSpan.FromSeconds(10);
                configure?.Invoke(o);
            })
            .AddHandler<int>("IN", async (ctx, ct) =>
            {
                HandlerCalls.AddOrUpdate(ctx.Message, 1, (_, n) => n + 1);
                if (before is not null)
                {
                    await before(ctx);
                }

                await ctx.Producer.PublishAsync("OUT", ctx.Message, ctx.Key, cancellationToken: ct);
            })
            .Build();

    /// <summary>Waits until the group has committed every input offset (the transactions that carry them committed).</summary>
    public Task WaitAllCommittedAsync(TimeSpan timeout) => Wait.UntilAsync(
        () =>
        {
            var (committed, end) = TestData.Offsets(_broker.BootstrapServers, Group, Input);
            return end.All(e => committed.GetValueOrDefault(e.Key, -1) == e.Value);
        },
        timeout,
        $"every input offset of {Input} committed by {Group}");

    /// <summary>Reads a topic to its end as a read_committed (or read_uncommitted) reader, and counts each value.</summary>
    public Dictionary<int, int> Count(string topic, bool readCommitted = true) =>
        ReadValues(topic, readCommitted).GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Reads a topic's values to its end (the last stable offset, for read_committed).</summary>
    public List<int> ReadValues(string topic, bool readCommitted = true)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _broker.BootstrapServers,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            IsolationLevel = readCommitted ? IsolationLevel.ReadCommitted : IsolationLevel.ReadUncommitted,
        };
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        consumer.Assign(partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        var remaining = partitions.ToHashSet();
        var values = new List<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (remaining.Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Reading {topic} timed out with partitions {string.Join(",", remaining.Select(r => r.Partition.Value))} unfinished after {values.Count} records.");
            }

            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                remaining.Remove(result.TopicPartition);
            }
            else
            {
                values.Add(int.Parse(result.Message.Value, CultureInfo.InvariantCulture));
            }
        }

        consumer.Close();
        return values;
    }

    /// <summary>The line the reliability scenarios print: produced, handled, lost, duplicated.</summary>
    public static (int Lost, int Duplicated, string Line) Describe(int produced, IReadOnlyDictionary<int, int> outputs, IEnumerable<int> expected)
    {
        var want = expected.ToHashSet();
        var lost = want.Count(v => !outputs.ContainsKey(v));
        var duplicated = outputs.Where(o => want.Contains(o.Key)).Sum(o => o.Value - 1);
        var unexpected = outputs.Where(o => !want.Contains(o.Key)).Sum(o => o.Value);
        return (lost, duplicated + unexpected,
            $"produced {produced}, handled {outputs.Count(o => want.Contains(o.Key))}, lost {lost}, duplicated {duplicated}" + (unexpected > 0 ? $", unexpected {unexpected}" : ""));
    }
}
