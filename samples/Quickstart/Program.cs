// EventBus in one file: provision topics, publish, consume, retry, dead-letter, read the statistics.
// With KAFKA_BOOTSTRAP_SERVERS unset it starts an embedded MockKafkaCluster (librdkafka's in-process mock broker);
// otherwise it uses the cluster the KAFKA_* variables describe, as a service would.
using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Diagnostics.Health;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Testing;
using EventBus.Kafka.Topics;

var variables = EnvironmentVariableBinder.ReadProcessEnvironment().ToDictionary(v => v.Key, v => v.Value);
await using var cluster = string.IsNullOrWhiteSpace(variables.GetValueOrDefault("KAFKA_BOOTSTRAP_SERVERS")) ? new MockKafkaCluster(brokerCount: 1) : null;
if (cluster is not null)
{
    Console.WriteLine($"KAFKA_BOOTSTRAP_SERVERS is not set: started an embedded MockKafkaCluster at {cluster.BootstrapServers} (no Docker, no broker to install).");
    variables["KAFKA_BOOTSTRAP_SERVERS"] = cluster.BootstrapServers;
    variables["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT";
    foreach (var key in new[] { "ORDERS", "ERRORS", "DLQ" })
    {
        variables[$"KAFKA_TOPIC_{key}_REPLICATION"] = "1"; // one broker
        variables[$"KAFKA_TOPIC_{key}_MIN_INSYNC_REPLICAS"] = "1";
    }
}

// The sample's own defaults; any of them set in the environment wins.
variables.TryAdd("SERVICE_NAME", "quickstart");
variables.TryAdd("KAFKA_TOPIC_ORDERS", "quickstart.orders");
variables.TryAdd("KAFKA_TOPIC_ERRORS", "quickstart.errors");
variables.TryAdd("KAFKA_CONSUMER_GROUP", "quickstart-" + Guid.NewGuid().ToString("N")[..8]);
variables.TryAdd("KAFKA_TOPIC_CREATION_TIMEOUT", "5");
var options = EventBusOptions.FromVariables(variables); // throws one message naming every variable to fix
var ordersTopic = options.Topics.GetTopicName("ORDERS");
var dlqTopic = options.Topics.GetTopicName("DLQ");

// 1. Topics: created in their tiers where the cluster has the admin API; the mock cluster has none, so the report
//    says so and the topics are created through the mock's own API.
TopicProvisioningReport provisioning;
using (var provisioner = new TopicProvisioner(options))
{
    provisioning = await provisioner.ApplyAsync();
    Console.WriteLine(provisioning);
}

if (cluster is not null)
{
    foreach (var topic in options.Topics.GetResolvedTopics())
    {
        cluster.CreateTopic(topic.Name, topic.Partitions, replicationFactor: 1);
    }
}

// 2. Publish: five orders, each awaited until the broker acknowledged it. Order 3 is one the handler will refuse.
await using var producer = new EventProducer(options);
for (var id = 1; id <= 5; id++)
{
    var published = await producer.PublishAsync("ORDERS", new OrderPlaced(id, id * 10.5m), partitionKey: "customer-" + id);
    Console.WriteLine($"published order {id} to {published.Topic}[{published.Partition}]@{published.Offset} (message-id {published.MessageId})");
}

// 3. Consume: a handler per topic; a failure is retried in place (2 retries here), then dead-lettered.
var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
var seen = 0;
await using var consumer = new EventConsumerBuilder(options)
    .Configure(o =>
    {
        o.MaxRetries = 2;
        o.RetryBaseDelay = TimeSpan.FromMilliseconds(100);
    })
    .WithDeadLetterProducer(producer)
    .AddHandler<OrderPlaced>("ORDERS", (ctx, _) =>
    {
        if (ctx.Message.Id == 3)
        {
            Console.WriteLine($"handler: order 3 refused (attempt {ctx.Attempt})");
            throw new InvalidOperationException("order 3 has no stock");
        }

        Console.WriteLine($"handler: order {ctx.Message.Id} for {ctx.Message.Amount} from {ctx.Key} ({ctx.Topic}[{ctx.Partition}]@{ctx.Offset})");
        if (Interlocked.Increment(ref seen) == 4)
        {
            handled.TrySetResult();
        }

        return Task.CompletedTask;
    })
    .Build();
consumer.Start();
await handled.Task.WaitAsync(TimeSpan.FromSeconds(60));
while (consumer.GetStatistics().RecordsDeadLettered == 0)
{
    await Task.Delay(50); // a sample's progress poll: the DLQ publish follows the last retry
}

// The health report while everything runs (printed at the end): what a /health endpoint serves.
EventBusHealthReport health;
using (var checker = new EventBusHealthChecker(options))
{
    health = await checker.CreateReportAsync(new EventBusHealthSources(producer, [consumer], provisioning));
}

await consumer.StopAsync(); // drains, commits, leaves the group

// 4. The dead-lettered record, as any Kafka tool sees it: the original value plus Spring-compatible headers.
using (var reader = new ConsumerBuilder<string, string>(new ConsumerConfig
{
    BootstrapServers = variables["KAFKA_BOOTSTRAP_SERVERS"],
    GroupId = "quickstart-dlq-reader-" + Guid.NewGuid().ToString("N")[..8],
    AutoOffsetReset = AutoOffsetReset.Earliest,
    SecurityProtocol = cluster is not null ? SecurityProtocol.Plaintext : null,
}).Build())
{
    reader.Subscribe(dlqTopic);
    var dead = reader.Consume(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("the dead-lettered record did not arrive");
    Console.WriteLine($"dead letter in {dead.Topic}: {dead.Message.Value}");
    foreach (var header in dead.Message.Headers)
    {
        var bytes = header.GetValueBytes();
        var text = header.Key switch
        {
            DeadLetterHeaderNames.OriginalPartition => BinaryPrimitives.ReadInt32BigEndian(bytes).ToString(System.Globalization.CultureInfo.InvariantCulture),
            DeadLetterHeaderNames.OriginalOffset or DeadLetterHeaderNames.OriginalTimestamp => BinaryPrimitives.ReadInt64BigEndian(bytes).ToString(System.Globalization.CultureInfo.InvariantCulture),
            DeadLetterHeaderNames.ExceptionStackTrace => Encoding.UTF8.GetString(bytes).Split('\n')[0] + " …",
            _ => Encoding.UTF8.GetString(bytes),
        };
        Console.WriteLine($"  {header.Key}: {text}");
    }

    reader.Close();
}

// 5. What the service would report: the statistics, and the health report (live, ready, counts, redacted configuration).
Console.WriteLine($"producer: {producer.GetStatistics()}");
Console.WriteLine($"consumer: {consumer.GetStatistics()}");
Console.WriteLine($"health ({health.Status}; live: {health.Liveness.Description}; ready: {health.Readiness.Description}):");
Console.WriteLine(health.ToJson(indented: true));
Console.WriteLine("Quickstart finished.");
return 0;

/// <summary>The sample's event.</summary>
/// <param name="Id">The order id.</param>
/// <param name="Amount">The amount.</param>
internal sealed record OrderPlaced(int Id, decimal Amount);
