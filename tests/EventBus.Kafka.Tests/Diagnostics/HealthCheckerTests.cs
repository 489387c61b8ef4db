using System.Diagnostics;
using System.Text.Json;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Diagnostics.Health;
using EventBus.Kafka.Serialization;
using EventBus.Kafka.Tests.Configuration;
using EventBus.Kafka.Tests.Consuming;

namespace EventBus.Kafka.Tests.Diagnostics;

/// <summary>Liveness and the health report's JSON, without a broker: the poll loop through a fake Confluent consumer.</summary>
public sealed class HealthCheckerTests
{
    private const string SaslPassword = "sasl-pw-Secr3t!";
    private const string SslKeyPassword = "key-pw-Secr3t!";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Liveness_PollLoopStuck_IsUnhealthy_AndHealthyOnceItPollsAgain()
    {
        var fake = new FakeConsumer();
        using var gate = new ManualResetEventSlim();
        fake.Then(_ =>
        {
            gate.Wait(Timeout); // the client does not return: the poll thread is stuck inside Consume
            return null;
        });
        var options = Options();
        await using var consumer = new EventConsumer(options, new EventConsumerOptions { CloseTimeout = TimeSpan.FromSeconds(5) },
            [new SingleRoute<string>("in", (_, _) => Task.CompletedTask, JsonEventSerializer.CreateDefault(), null)], null, null, fake.Factory);
        using var checker = new EventBusHealthChecker(options, new EventBusHealthOptions { MaxPollStall = TimeSpan.FromSeconds(2) });
        var sources = new EventBusHealthSources(null, [consumer]);

        consumer.Start();
        Assert.Equal(EventBusHealthStatus.Healthy, checker.CheckLiveness(sources).Status); // it just started: not stuck yet

        await Until(() => checker.CheckLiveness(sources).Status == EventBusHealthStatus.Unhealthy, "liveness to fail while the poll thread is stuck");
        var stuck = checker.CheckLiveness(sources);
        Assert.Contains("poll loop is stuck", stuck.Description, StringComparison.Ordinal);
        Assert.Contains("consumer g (in)", stuck.Description, StringComparison.Ordinal);

        gate.Set();
        await Until(() => checker.CheckLiveness(sources).Status == EventBusHealthStatus.Healthy, "liveness to pass once the loop polls again");
        Assert.Contains("polling", checker.CheckLiveness(sources).Findings.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Liveness_FaultedConsumer_IsUnhealthy()
    {
        var fake = new FakeConsumer();
        using var started = new ManualResetEventSlim();
        fake.Then(_ =>
        {
            // Fault only once Start returned: Start sets Running after starting the poll thread, so a fault before
            // that would be overwritten (a race in EventConsumer.Start, reported, not this test's subject).
            started.Wait(Timeout);
            throw new InvalidOperationException("the client broke");
        });
        var options = Options();
        await using var consumer = new EventConsumer(options, new EventConsumerOptions { CloseTimeout = TimeSpan.FromSeconds(5) },
            [new SingleRoute<string>("in", (_, _) => Task.CompletedTask, JsonEventSerializer.CreateDefault(), null)], null, null, fake.Factory);
        using var checker = new EventBusHealthChecker(options);
        var sources = new EventBusHealthSources(null, [consumer]);

        consumer.Start();
        started.Set();
        await Until(() => consumer.State == EventConsumerState.Faulted, "the consumer to fault");

        var liveness = checker.CheckLiveness(sources);
        Assert.Equal(EventBusHealthStatus.Unhealthy, liveness.Status);
        Assert.Contains("faulted", liveness.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxPollStall_Default_IsMaxPollIntervalOrTwoMinutes_WhicheverIsShorter()
    {
        using var byDefault = new EventBusHealthChecker(Options());
        Assert.Equal(TimeSpan.FromMinutes(2), byDefault.MaxPollStall); // max.poll.interval.ms defaults to 30 min

        using var shortInterval = new EventBusHealthChecker(Options(("KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "60000")));
        Assert.Equal(TimeSpan.FromSeconds(60), shortInterval.MaxPollStall);
    }

    [Fact]
    public async Task Report_Json_SnakeCaseShape_NoSecret_UnreachableClusterIsNotReady()
    {
        using var certificate = new TempFile();
        using var key = new TempFile();
        var options = Options(
            ("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
            ("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
            ("KAFKA_SASL_USERNAME", "svc-user"),
            ("KAFKA_SASL_PASSWORD", SaslPassword),
            ("KAFKA_SSL_CERTFILE", certificate.Path),
            ("KAFKA_SSL_KEYFILE", key.Path),
            ("KAFKA_SSL_PASSWORD", SslKeyPassword),
            ("KAFKA_TOPIC_ORDERS", "orders"));
        using var checker = new EventBusHealthChecker(options, new EventBusHealthOptions { ProbeTimeout = TimeSpan.FromSeconds(1) });

        var report = await checker.CreateReportAsync(new EventBusHealthSources(null, []), TestContext.Current.CancellationToken);
        var json = report.ToJson();

        Assert.DoesNotContain(SaslPassword, json, StringComparison.Ordinal);
        Assert.DoesNotContain(SslKeyPassword, json, StringComparison.Ordinal);
        Assert.DoesNotContain(SaslPassword, report.ToJson(indented: true), StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("unhealthy", root.GetProperty("status").GetString()); // nothing listens on localhost:9
        Assert.Equal("localhost:9", root.GetProperty("bootstrap_servers").GetString());
        Assert.False(root.GetProperty("consumer_running").GetBoolean());
        Assert.Equal("healthy", root.GetProperty("liveness").GetProperty("status").GetString());
        Assert.Equal("unhealthy", root.GetProperty("readiness").GetProperty("status").GetString());
        // The key file is no real key: librdkafka refuses to build the admin client, and readiness says so.
        Assert.StartsWith("cluster: the cluster ", root.GetProperty("readiness").GetProperty("description").GetString(), StringComparison.Ordinal);
        foreach (var name in new[] { "messages_sent", "messages_received", "messages_failed", "messages_dead_lettered", "topics_created", "topic_creation_errors" })
        {
            Assert.Equal(0, root.GetProperty("statistics").GetProperty(name).GetInt64());
        }

        var configuration = root.GetProperty("configuration");
        Assert.Equal("SaslSsl", configuration.GetProperty("security_protocol").GetString());
        Assert.Equal("***", configuration.GetProperty("producer").GetProperty("sasl.password").GetString());
        Assert.Equal("***", configuration.GetProperty("producer").GetProperty("ssl.key.password").GetString());
        Assert.Equal("***", configuration.GetProperty("consumer").GetProperty("sasl.password").GetString());
        Assert.Equal("svc-user", configuration.GetProperty("producer").GetProperty("sasl.username").GetString());
        Assert.Equal("orders", configuration.GetProperty("topics").GetProperty("ORDERS").GetString());

        var topics = root.GetProperty("topics");
        Assert.Contains("orders", topics.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, topics.GetProperty("last_verification").ValueKind); // the cluster never answered
    }

    private static EventBusOptions Options(params (string Name, string Value)[] overrides)
    {
        var variables = new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "localhost:9",
            ["SERVICE_NAME"] = "unit",
            ["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT",
            ["KAFKA_CONSUMER_GROUP"] = "g",
        };
        foreach (var (name, value) in overrides)
        {
            variables[name] = value;
        }

        return EventBusOptions.FromVariables(variables);
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(stopwatch.Elapsed < Timeout, $"timed out waiting for {what}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
