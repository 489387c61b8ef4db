using EventBus.Kafka.Hosting.Health;
using EventBus.Kafka.Hosting.Tests.Infrastructure;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventBus.Kafka.Hosting.Tests.Health;

/// <summary>
/// Readiness while authentication fails, on the real broker kit (<c>EVENTBUS_TEST_KAFKA_DIR</c>): a service with a
/// wrong SASL password is never ready, its health JSON never shows the password, and it becomes ready without a
/// restart once the broker accepts that password. Skips without the kit.
/// </summary>
public sealed class AuthenticationHealthTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Readiness_WrongSaslPassword_IsUnhealthy_NoSecretInJson_HealthyOnceTheBrokerAcceptsIt()
    {
        var directory = Environment.GetEnvironmentVariable(KafkaKit.DirectoryVariable);
        if (string.IsNullOrWhiteSpace(directory))
        {
            Assert.Skip($"{KafkaKit.DirectoryVariable} is not set: this test needs the real broker kit with --sasl (kafka-broker start --dir DIR --sasl), and the mock cluster has no SASL");
        }

        var kit = KafkaKit.Load(directory);
        if (!kit.Capabilities.HasFlag(BrokerCapabilities.Sasl) || !kit.Capabilities.HasFlag(BrokerCapabilities.AdminTools))
        {
            Assert.Skip($"the kit at {directory} was started without --sasl, or its kafka-broker script was not found ({kit.ScriptNote})");
        }

        var suffix = Guid.NewGuid().ToString("N")[..8];
        var user = "health-" + suffix;
        var rightPassword = "right-" + Guid.NewGuid().ToString("N");
        var wrongPassword = "wrong-" + Guid.NewGuid().ToString("N");
        var topic = "health-orders-" + suffix;
        var service = "health-" + suffix;
        await SetPasswordAsync(kit, user, rightPassword);
        foreach (var name in new[] { topic, service + "-dlq" })
        {
            await kit.ToolAsync("kafka-topics.sh", "--bootstrap-server", kit.BootstrapPlaintext, "--create", "--topic", name, "--partitions", "1", "--replication-factor", "1");
        }

        var variables = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = kit.Get("BOOTSTRAP_SASL_PLAINTEXT"),
            ["SERVICE_NAME"] = service,
            ["KAFKA_SECURITY_PROTOCOL"] = "SASL_PLAINTEXT",
            ["KAFKA_SASL_MECHANISM"] = "SCRAM-SHA-512",
            ["KAFKA_SASL_USERNAME"] = user,
            ["KAFKA_SASL_PASSWORD"] = wrongPassword,
            ["KAFKA_CONSUMER_GROUP"] = "health-group-" + suffix,
            ["KAFKA_TOPIC_ORDERS"] = topic,
            ["KAFKA_TOPIC_AUTO_CREATE"] = "false", // provisioning would stop the host on the authentication failure
        };
        var logs = new CapturedLogs(output);
        using var host = HealthHosts.Build(variables, logs, bus => bus.AddConsumer(c => c.AddHandler<Handlers.OrderPlaced>("ORDERS", (_, _) => Task.CompletedTask)));
        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var refused = await HealthHosts.WaitForEntryAsync(host, EventBusHealthTags.Ready,
                e => e.Status == HealthStatus.Unhealthy && e.Description!.Contains("Authentication failure", StringComparison.Ordinal), Timeout, "readiness to fail, saying why");
            output.WriteLine("refused: " + refused.Description);
            Assert.Contains("KAFKA_SASL_PASSWORD", refused.Description, StringComparison.Ordinal);

            // Never healthy while it lasts, whatever client is asked, and no secret in the JSON or the logs.
            var report = await host.Services.GetRequiredService<EventBusHealthReporter>().GetReportAsync(TestContext.Current.CancellationToken);
            var json = report.ToJson();
            Assert.Equal("unhealthy", System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("status").GetString());
            Assert.DoesNotContain(wrongPassword, json, StringComparison.Ordinal);
            Assert.DoesNotContain(rightPassword, json, StringComparison.Ordinal);
            Assert.Contains("\"sasl.password\":\"***\"", json, StringComparison.Ordinal);
            Assert.DoesNotContain(logs.Entries, e => e.ToString().Contains(wrongPassword, StringComparison.Ordinal));

            // The broker now takes the password the service has: ready again without a restart.
            await SetPasswordAsync(kit, user, wrongPassword);
            var back = await HealthHosts.WaitForAsync(host, EventBusHealthTags.Ready, s => s != HealthStatus.Unhealthy, Timeout, "readiness once the broker accepts the password");
            output.WriteLine("back: " + back.Status + " " + back.Description);
            Assert.Equal(HealthStatus.Healthy, (await HealthHosts.CheckAsync(host, EventBusHealthTags.Live)).Status);
        }
        finally
        {
            await host.StopAsync(TestContext.Current.CancellationToken);
        }
    }

    private static Task SetPasswordAsync(KafkaKit kit, string user, string password) =>
        kit.ToolAsync("kafka-configs.sh",
            ["--zookeeper", kit.ZookeeperConnect, "--alter", "--entity-type", "users", "--entity-name", user,
             "--add-config", $"SCRAM-SHA-256=[password={password}],SCRAM-SHA-512=[password={password}]"],
            hideArguments: true);
}
