using Microsoft.Extensions.Logging;
using System.Diagnostics;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Diagnostics;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.IntegrationTests.Reliability;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.IntegrationTests.Failures;

/// <summary>
/// The cluster started after the client: every broker of the kit is stopped, the producer and the consumer start and
/// report the unreachable cluster, the brokers start again (same ports) and both become healthy by themselves and
/// deliver, without a restart. Stops every broker, so it runs alone, after the parallel tests.
/// </summary>
[Collection(BrokerRestartCollection.Name)]
public sealed class ClusterStartedLaterTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task ClusterStartedAfterTheClients_BothDegradedUnreachable_ThenHealthyAndDeliverWithoutRestart()
    {
        broker.Require(BrokerCapabilities.AdminTools, "Stopping every broker of the kit and starting them again");
        var kit = broker.Kit!;
        var ct = TestContext.Current.CancellationToken;
        var topic = KafkaTestBroker.UniqueTopic("later");
        await broker.CreateTopicAsync(topic, 1, 3);
        var options = broker.CreateOptions("later-svc", ("KAFKA_TOPIC_IN", topic), ("KAFKA_CONSUMER_GROUP", "g-" + topic),
            ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "500"));

        // A topic the consumer's first metadata after the restart reports unknown is looked up again only at the next
        // metadata refresh (5 min by default): librdkafka's cadence, not what this test is about.
        options.Consumer.AdditionalProperties["topic.metadata.refresh.interval.ms"] = "5000";
        var logs = new CapturingLoggerFactory();
        var stopped = new List<int>();
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var id in kit.BrokerIds)
            {
                await kit.StopBrokerAsync(id);
                stopped.Add(id);
            }

            output.WriteLine($"every broker stopped after {clock.Elapsed.TotalSeconds:0.0} s");
            var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var producer = new EventProducer(options, logs.CreateLogger<EventProducer>());
            await using var consumer = new EventConsumerBuilder(options)
                .WithLoggerFactory(logs)
                .AddHandler<string>("IN", (ctx, _) =>
                {
                    received.TrySetResult(ctx.Message!);
                    return Task.CompletedTask;
                })
                .Build();
            consumer.Start();
            var started = clock.Elapsed;
            var pending = producer.PublishAsync("IN", "published while the cluster was down", "k", cancellationToken: ct);

            await Wait.UntilAsync(() => producer.Health.Diagnosis?.Kind == KafkaFailureKind.Unreachable && consumer.Health.Diagnosis?.Kind == KafkaFailureKind.Unreachable,
                TimeSpan.FromSeconds(30), $"both clients to report the unreachable cluster (producer {producer.Health}, consumer {consumer.Health})");
            var degradedAfter = clock.Elapsed - started;
            var (producerDown, consumerDown) = (producer.Health, consumer.Health);
            Assert.Equal(EventProducerState.Degraded, producer.State);
            Assert.Equal(EventConsumerState.Running, consumer.State);
            Assert.False(pending.IsCompleted, "the publish waits for the cluster (message.timeout.ms), it is not failed");

            foreach (var id in stopped.ToList())
            {
                await kit.StartBrokerAsync(id, waitIsr: false);
                stopped.Remove(id);
            }

            var upAt = clock.Elapsed;
            var result = await pending.WaitAsync(TimeSpan.FromSeconds(120), ct);
            var value = await received.Task.WaitAsync(TimeSpan.FromSeconds(120), ct);
            await Wait.UntilAsync(() => producer.Health.IsHealthy && consumer.Health.IsHealthy, TimeSpan.FromSeconds(60),
                $"both clients healthy again (producer {producer.Health}, consumer {consumer.Health})");
            output.WriteLine($"""
                degraded after {degradedAfter.TotalSeconds:0.0} s: producer {producerDown}; consumer {consumerDown}
                brokers up at {upAt.TotalSeconds:0.0} s; delivered {result.Topic}[{result.Partition}]@{result.Offset} {(clock.Elapsed - upAt).TotalSeconds:0.0} s later; consumed '{value}'
                producer {producer.Health}; consumer {consumer.Health}
                {string.Join(Environment.NewLine, logs.Lines)}
                """);

            Assert.Equal(KafkaFailureCause.ConnectionRefused, producerDown.Diagnosis!.Cause);
            Assert.Equal(EventProducerState.Healthy, producer.State);
            Assert.Equal("published while the cluster was down", value);
            Assert.NotNull(producer.Health.LastError);   // kept after recovery, with its time
            Assert.NotNull(consumer.Health.LastErrorAt);
            Assert.Contains(logs.Lines, l => l.EventName == "KafkaClientHealthy" && l.Category.EndsWith("EventProducer", StringComparison.Ordinal));
            Assert.Contains(logs.Lines, l => l.EventName == "KafkaClientHealthy" && l.Category.EndsWith("EventConsumer", StringComparison.Ordinal));
            await consumer.StopAsync(ct);
        }
        catch
        {
            output.WriteLine(string.Join(Environment.NewLine, logs.Lines));
            throw;
        }
        finally
        {
            foreach (var id in stopped)
            {
                await kit.StartBrokerAsync(id, waitIsr: false);
            }

            await broker.WaitUntilVisibleAsync([topic]);
        }
    }
}
