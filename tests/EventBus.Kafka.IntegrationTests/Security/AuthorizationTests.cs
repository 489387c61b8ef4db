using System.Diagnostics;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.IntegrationTests.Security;

/// <summary>A DENY ACL on a real Kafka: publishing fails fast, says it is not worth retrying, and names the topic.</summary>
public sealed class AuthorizationTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Theory]
    [InlineData(TestListener.Plaintext)]
    [InlineData(TestListener.SaslSsl)]
    [InlineData(TestListener.MutualTls)]
    public async Task Publish_DenyWriteOnTopic_FailsWithinSecondsNotRetriable_NamesTopic(TestListener listener)
    {
        broker.Require(BrokerCapabilities.Acls, "Denying Write on a topic");
        var ct = TestContext.Current.CancellationToken;
        var denied = KafkaTestBroker.UniqueTopic("denied");
        var allowed = KafkaTestBroker.UniqueTopic("allowed");
        await broker.CreateTopicAsync(denied, 1, 3);
        await broker.CreateTopicAsync(allowed, 1, 3);
        var options = broker.CreateOptions(listener, "acl-svc", ("KAFKA_TOPIC_DENIED", denied), ("KAFKA_TOPIC_ALLOWED", allowed));
        await using var producer = new EventProducer(options);
        await producer.PublishAsync("DENIED", "before the ACL", "k", cancellationToken: ct);

        // The DENY names this listener's principal and this topic only: other tests and topics are untouched.
        var principal = broker.PrincipalOf(listener);
        await broker.DenyAsync(principal, "Write", "--topic", denied);
        await WaitUntilEnforcedAsync(options, denied);

        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<EventPublishException>(() => producer.PublishAsync("DENIED", "after the ACL", "k", cancellationToken: ct));
        var asyncElapsed = clock.Elapsed;
        clock.Restart();
        var syncFailure = Assert.Throws<EventPublishException>(() => producer.Publish("DENIED", "after the ACL, synchronously", "k"));
        var syncElapsed = clock.Elapsed;
        output.WriteLine($"{listener} as {principal}: PublishAsync failed after {asyncElapsed.TotalMilliseconds:0} ms, Publish after {syncElapsed.TotalMilliseconds:0} ms: {failure.Message}");

        foreach (var error in new[] { failure, syncFailure })
        {
            Assert.Equal(ErrorCode.TopicAuthorizationFailed, error.ErrorCode);
            Assert.False(error.IsRetriable);
            Assert.Equal(denied, error.Topic);
            Assert.Contains(denied, error.Message, StringComparison.Ordinal);
        }

        Assert.InRange(asyncElapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.InRange(syncElapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));

        // The same producer still publishes where it is allowed to.
        var ok = await producer.PublishAsync("ALLOWED", "still allowed", "k", cancellationToken: ct);
        Assert.Equal(allowed, ok.Topic);

        // Read back: the record from before the ACL is there, none of the refused ones.
        var values = TopicReader.ReadAll(broker.BootstrapServers, denied, TimeSpan.FromSeconds(30)).Select(r => r.Message.Value).ToList();
        Assert.Single(values, v => v == "before the ACL");
        Assert.DoesNotContain(values, v => v.StartsWith("after the ACL", StringComparison.Ordinal));
        Assert.Equal(["still allowed"], TopicReader.ReadAll(broker.BootstrapServers, allowed, TimeSpan.FromSeconds(30)).Select(r => r.Message.Value));
    }

    /// <summary>ACLs reach the partition leader through ZooKeeper a moment after kafka-acls returns; probe until it refuses.</summary>
    private static async Task WaitUntilEnforcedAsync(EventBusOptions options, string topic)
    {
        var config = KafkaClientConfigFactory.CreateProducerConfig(options);
        config.EnableIdempotence = false;
        config.MessageTimeoutMs = 5_000;
        config.LingerMs = 0;
        using var probe = new ProducerBuilder<Null, string>(config).SetLogHandler((_, _) => { }).Build();
        var refused = false;
        var clock = Stopwatch.StartNew();
        while (!refused)
        {
            try
            {
                await probe.ProduceAsync(topic, new Message<Null, string> { Value = "probe" }, TestContext.Current.CancellationToken);
            }
            catch (ProduceException<Null, string> ex) when (ex.Error.Code == ErrorCode.TopicAuthorizationFailed)
            {
                refused = true;
            }

            Assert.True(refused || clock.Elapsed < TimeSpan.FromSeconds(30), "the DENY ACL was not enforced within 30 s");
        }
    }
}
