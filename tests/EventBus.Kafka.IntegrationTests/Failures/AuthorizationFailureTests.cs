using Microsoft.Extensions.Logging;
using System.Diagnostics;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Diagnostics;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Topics;

namespace EventBus.Kafka.IntegrationTests.Failures;

/// <summary>
/// The authorization rows of the failure table: DENY Write on the topic, DENY Read on the group. What is refused fails
/// at once, not retriable, with the diagnosis naming the principal, the resource and the ACL to grant; the client is
/// degraded; the others carry on; once the ACL is deleted the client is healthy again and delivers without a restart.
/// </summary>
public sealed class AuthorizationFailureTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task DenyWriteOnTopic_PublishesFailAtOnceNotRetriable_ProducerDegraded_HealthyAgainOnceTheAclIsDeleted()
    {
        broker.Require(BrokerCapabilities.Acls | BrokerCapabilities.AdminApi, "Denying Write on a topic, then deleting the ACL");
        var ct = TestContext.Current.CancellationToken;
        var topic = KafkaTestBroker.UniqueTopic("deny-write");
        await broker.CreateTopicAsync(topic, 1, 1);
        var (variables, options) = Options("deny-write", topic);
        var logs = new CapturingLoggerFactory();
        await using var producer = new EventProducer(options, logs.CreateLogger<EventProducer>());
        await producer.PublishAsync("T", "before the ACL", "k", cancellationToken: ct);
        var principal = broker.PrincipalOf(TestListener.Plaintext);
        await broker.DenyAsync(principal, "Write", "--topic", topic);
        await UntilProduceIsAsync(options, topic, refused: true);

        var clock = Stopwatch.StartNew();
        var asyncError = await Assert.ThrowsAsync<EventPublishException>(() => producer.PublishAsync("T", "refused", "k", cancellationToken: ct));
        var asyncAfter = clock.Elapsed;
        clock.Restart();
        var syncError = Assert.Throws<EventPublishException>(() => producer.Publish("T", "refused, synchronously", "k"));
        var syncAfter = clock.Elapsed;
        var degraded = producer.Health;

        // The others carry on: the consumer reads the topic, provisioning finds it, the tool exits 0.
        var consumed = await ConsumeOneAsync(options);
        using var provisioner = new TopicProvisioner(options);
        var provisioned = await provisioner.ProvisionAsync(ct);
        var tool = await TopicsToolProcess.RunAsync(variables, "apply");

        await broker.RemoveDenyAsync(principal, "Write", "--topic", topic);
        await UntilProduceIsAsync(options, topic, refused: false);
        var after = await producer.PublishAsync("T", "after the ACL was deleted", "k", cancellationToken: ct);
        var healthy = producer.Health;
        output.WriteLine($"""
            row deny-write as {principal}: PublishAsync after {asyncAfter.TotalMilliseconds:0} ms, retriable={asyncError.IsRetriable}: {asyncError.Message}
              Publish after {syncAfter.TotalMilliseconds:0} ms, retriable={syncError.IsRetriable}
              producer while denied: {degraded}
              consumer: read '{consumed}' (not affected); ProvisionAsync: {provisioned.Errors.Count} error(s); eventbus-topics apply: exit {tool.ExitCode}
              after the ACL was deleted: delivered at offset {after.Offset}; producer {healthy}
              log lines: {logs.Lines.Count(l => l.Category.EndsWith("EventProducer", StringComparison.Ordinal))}
            {string.Join(Environment.NewLine, logs.Lines.Select(l => "    " + l))}
            """);

        foreach (var error in new[] { asyncError, syncError })
        {
            Assert.Equal(ErrorCode.TopicAuthorizationFailed, error.ErrorCode);
            Assert.False(error.IsRetriable);
            Assert.Equal((KafkaFailureKind.Authorization, KafkaFailureCause.TopicAuthorization), (error.Diagnosis?.Kind, error.Diagnosis?.Cause));
            Assert.Contains($"{principal} is not allowed to Write topic '{topic}'", error.Message, StringComparison.Ordinal);
            Assert.Contains("kafka-acls --add --allow-principal " + principal, error.Message, StringComparison.Ordinal);
        }

        Assert.True(asyncAfter <= TimeSpan.FromSeconds(10) && syncAfter <= TimeSpan.FromSeconds(10), $"refused after {asyncAfter} / {syncAfter}");
        Assert.Equal((KafkaHealthStatus.Degraded, KafkaFailureCause.TopicAuthorization), (degraded.Status, degraded.Diagnosis?.Cause));
        Assert.Equal("before the ACL", consumed);
        Assert.Empty(provisioned.Errors);
        Assert.Equal(Tools.TopicsCommand.Success, tool.ExitCode);
        Assert.Equal(KafkaHealthStatus.Healthy, healthy.Status);
        Assert.Equal(KafkaFailureCause.TopicAuthorization, healthy.LastError?.Cause);
        Assert.Single(logs.Lines, l => l.EventName == "KafkaClientFailure");        // one failure, one line (two refused publishes)
        Assert.Contains(logs.Lines, l => l.EventName == "KafkaClientHealthy");
    }

    [Fact]
    public async Task DenyReadOnGroup_ConsumerRunningButDegraded_NamesTheGroup_HealthyAndConsumingOnceTheAclIsDeleted()
    {
        broker.Require(BrokerCapabilities.Acls | BrokerCapabilities.AdminApi, "Denying Read on a consumer group, then deleting the ACL");
        var ct = TestContext.Current.CancellationToken;
        var topic = KafkaTestBroker.UniqueTopic("deny-group");
        await broker.CreateTopicAsync(topic, 1, 1);
        var (variables, options) = Options("deny-group", topic);
        var group = options.Consumer.GroupId!;
        var principal = broker.PrincipalOf(TestListener.Plaintext);
        await broker.DenyAsync(principal, "Read", "--group", group);
        await UntilGroupIsAsync(options, refused: true);

        // The producer is not affected: it publishes what the consumer will read once allowed.
        var logs = new CapturingLoggerFactory();
        await using var producer = new EventProducer(options, logs.CreateLogger<EventProducer>());
        await producer.PublishAsync("T", "waiting for the group", "k", cancellationToken: ct);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = new EventConsumerBuilder(options)
            .WithLoggerFactory(logs)
            .AddHandler<string>("T", (ctx, _) =>
            {
                received.TrySetResult(ctx.Message!);
                return Task.CompletedTask;
            })
            .Build();
        var clock = Stopwatch.StartNew();
        consumer.Start();
        await Wait.UntilAsync(() => consumer.Health.Diagnosis?.Cause == KafkaFailureCause.GroupAuthorization, TimeSpan.FromSeconds(30), $"the consumer to report the refused group ({consumer.Health})");
        var degradedAfter = clock.Elapsed;
        var degraded = consumer.Health;
        var state = consumer.State;
        using var provisioner = new TopicProvisioner(options);
        var provisioned = await provisioner.ProvisionAsync(ct);
        var tool = await TopicsToolProcess.RunAsync(variables, "apply");

        await broker.RemoveDenyAsync(principal, "Read", "--group", group);
        var value = await received.Task.WaitAsync(TimeSpan.FromSeconds(90), ct);
        await Wait.UntilAsync(() => consumer.Health.IsHealthy, TimeSpan.FromSeconds(30), $"the consumer healthy again ({consumer.Health})");
        var lines = logs.Lines.Count(l => l.Category.EndsWith("EventConsumer", StringComparison.Ordinal));
        output.WriteLine($"""
            row deny-group {group} as {principal}: consumer {state}, degraded after {degradedAfter.TotalSeconds:0.0} s: {degraded}
              producer: {producer.Health} (not affected); ProvisionAsync: {provisioned.Errors.Count} error(s); eventbus-topics apply: exit {tool.ExitCode}
              after the ACL was deleted: consumed '{value}' {clock.Elapsed.TotalSeconds:0.0} s after the start; consumer {consumer.Health}
              consumer log lines: {lines}
            {string.Join(Environment.NewLine, logs.Lines.Select(l => "    " + l))}
            """);

        Assert.Equal(EventConsumerState.Running, state);
        Assert.Equal((KafkaHealthStatus.Degraded, KafkaFailureKind.Authorization), (degraded.Status, degraded.Diagnosis?.Kind));
        Assert.Contains($"consumer group '{group}'", degraded.Diagnosis!.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_CONSUMER_GROUP", degraded.Diagnosis.Message, StringComparison.Ordinal);
        Assert.True(degradedAfter <= TimeSpan.FromSeconds(10), $"degraded after {degradedAfter}");
        Assert.True(producer.Health.IsHealthy);
        Assert.Empty(provisioned.Errors);
        Assert.Equal(Tools.TopicsCommand.Success, tool.ExitCode);
        Assert.Equal("waiting for the group", value);
        Assert.Equal(KafkaFailureCause.GroupAuthorization, consumer.Health.LastError?.Cause);
        Assert.InRange(lines, 1, 10);
    }

    private (IReadOnlyList<(string Name, string Value)> Variables, EventBusOptions Options) Options(string service, string topic)
    {
        (string Name, string Value)[] variables =
        [
            .. broker.SecurityVariables(TestListener.Plaintext), ("SERVICE_NAME", service), ("KAFKA_TOPIC_T", topic), ("KAFKA_CONSUMER_GROUP", "g-" + topic),
            ("KAFKA_TOPIC_T_PARTITIONS", "1"), ("KAFKA_TOPIC_T_REPLICATION", "1"), ("KAFKA_TOPIC_T_MIN_INSYNC_REPLICAS", "1"),
            ("KAFKA_TOPIC_DLQ", topic + "-dlq"), ("KAFKA_TOPIC_DLQ_REPLICATION", "1"),
            ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "500"),
        ];
        return (variables, EventBusOptions.FromVariables(variables.ToDictionary(v => v.Name, v => (string?)v.Value, StringComparer.Ordinal)));
    }

    private async Task<string> ConsumeOneAsync(EventBusOptions options)
    {
        var first = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = new EventConsumerBuilder(options)
            .AddHandler<string>("T", (ctx, _) =>
            {
                first.TrySetResult(ctx.Message!);
                return Task.CompletedTask;
            })
            .Build();
        consumer.Start();
        var value = await first.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await consumer.StopAsync(TestContext.Current.CancellationToken);
        return value;
    }

    /// <summary>ACLs reach the partition leader through ZooKeeper a moment after kafka-acls returns: probe until produce is refused (or allowed again).</summary>
    private static async Task UntilProduceIsAsync(EventBusOptions options, string topic, bool refused)
    {
        var config = KafkaClientConfigFactory.CreateProducerConfig(options);
        config.EnableIdempotence = false;
        config.MessageTimeoutMs = 5_000;
        config.LingerMs = 0;
        using var probe = new ProducerBuilder<Null, string>(config).SetLogHandler((_, _) => { }).Build();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await probe.ProduceAsync(topic, new Message<Null, string> { Value = "probe" }, TestContext.Current.CancellationToken);
                if (!refused)
                {
                    return;
                }
            }
            catch (ProduceException<Null, string> ex) when (ex.Error.Code == ErrorCode.TopicAuthorizationFailed)
            {
                if (refused)
                {
                    return;
                }
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the ACL change was not enforced within 30 s (refused: {refused})");
        }
    }

    /// <summary>Probes with a raw consumer until joining the group is refused.</summary>
    private static async Task UntilGroupIsAsync(EventBusOptions options, bool refused)
    {
        var config = KafkaClientConfigFactory.CreateConsumerConfig(options);
        var clock = Stopwatch.StartNew();
        using var probe = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        probe.Subscribe(options.Topics.GetTopicName("T"));
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                probe.Consume(TimeSpan.FromMilliseconds(200));
                if (!refused && probe.Assignment.Count > 0)
                {
                    return;
                }
            }
            catch (ConsumeException ex) when (ex.Error.Code == ErrorCode.GroupAuthorizationFailed)
            {
                if (refused)
                {
                    probe.Close();
                    return;
                }
            }

            await Task.Yield();
        }

        Assert.Fail($"the group ACL was not enforced within 30 s (refused: {refused})");
    }
}
