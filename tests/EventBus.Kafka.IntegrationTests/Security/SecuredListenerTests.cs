using System.Collections.Concurrent;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.IntegrationTests.Security;

/// <summary>
/// EventProducer and EventConsumer through each secured listener of a real Kafka, configured only by the documented
/// variables (SSL_CA_LOCATION, KAFKA_SASL_*, KAFKA_SSL_CERTFILE/KEYFILE/PASSWORD): every message published, consumed
/// once and committed.
/// </summary>
public sealed class SecuredListenerTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    private const int Count = 300;

    [Theory]
    [InlineData(TestListener.Ssl, null)]
    [InlineData(TestListener.SaslSsl, "SCRAM-SHA-512")]
    [InlineData(TestListener.SaslSsl, "SCRAM-SHA-256")]
    [InlineData(TestListener.SaslSsl, "PLAIN")]
    [InlineData(TestListener.SaslPlaintext, "SCRAM-SHA-512")]
    [InlineData(TestListener.MutualTls, null)]
    public async Task PublishConsumeCommit_SecuredListener_EveryMessageOnceAndCommitted(TestListener listener, string? mechanism)
    {
        var topic = KafkaTestBroker.UniqueTopic("secure-" + listener.ToString().ToLowerInvariant());
        var group = "g-" + topic;
        (string, string)[] extra = [("KAFKA_TOPIC_IN", topic), ("KAFKA_CONSUMER_GROUP", group),
            ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "500")];
        var options = broker.CreateOptions(listener, "secure-svc", mechanism is null ? extra : [.. extra, ("KAFKA_SASL_MECHANISM", mechanism)]);
        await broker.CreateTopicAsync(topic, 3, 3);

        // The variables map to the listener's protocol and mechanism (no fallback to another listener or PLAINTEXT).
        var config = KafkaClientConfigFactory.CreateProducerConfig(options);
        Assert.Equal(ExpectedProtocol(listener), config.SecurityProtocol);
        if (mechanism is not null)
        {
            Assert.Equal(mechanism, config.Get("sasl.mechanism") ?? config.Get("sasl.mechanisms"));
        }

        if (listener == TestListener.MutualTls)
        {
            Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", await File.ReadAllTextAsync(options.Connection.SslKeyLocation!, TestContext.Current.CancellationToken), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(options.Connection.SslKeyPassword));
        }

        PublishResult[] published;
        await using (var producer = new EventProducer(options))
        {
            published = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => producer.PublishAsync("IN", i, "key-" + (i % 30))));
            Assert.Equal(0, producer.GetStatistics().MessagesFailed);
        }

        Assert.All(published, r => Assert.Equal(topic, r.Topic));
        Assert.Equal(Count, published.Select(r => (r.Partition, r.Offset)).Distinct().Count());

        var seen = new ConcurrentDictionary<int, int>();
        await using var consumer = new EventConsumerBuilder(options)
            .AddHandler<int>("IN", (ctx, _) =>
            {
                seen.AddOrUpdate(ctx.Message, 1, (_, n) => n + 1);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        await Wait.UntilAsync(() => seen.Count == Count, TimeSpan.FromSeconds(60), $"{Count} messages through {listener} (have {seen.Count})");
        await consumer.StopAsync(TestContext.Current.CancellationToken);
        var statistics = consumer.GetStatistics();

        // Read back independently (PLAINTEXT, raw client): the group's committed offsets are the end of every partition.
        var (committed, end) = TestData.Offsets(broker.BootstrapServers, group, topic);
        output.WriteLine($"{listener} {mechanism}: published {published.Length}, handled {seen.Values.Sum()} ({seen.Count} distinct), committed/end {TestData.Describe(committed, end)}, commits {statistics.Commits}");
        Assert.Equal(Enumerable.Range(0, Count), seen.Keys.Order());
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.Equal(Count, end.Values.Sum());
        Assert.Equal(end, committed);
        Assert.True(statistics.Commits > 0, "the consumer committed through the secured listener");
        Assert.Equal(EventConsumerState.Stopped, consumer.State);
    }

    private static SecurityProtocol ExpectedProtocol(TestListener listener) => listener switch
    {
        TestListener.Ssl or TestListener.MutualTls => SecurityProtocol.Ssl,
        TestListener.SaslSsl => SecurityProtocol.SaslSsl,
        TestListener.SaslPlaintext => SecurityProtocol.SaslPlaintext,
        _ => SecurityProtocol.Plaintext,
    };
}
