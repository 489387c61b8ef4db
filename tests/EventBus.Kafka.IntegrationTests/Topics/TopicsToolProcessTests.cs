using Confluent.Kafka;
using Confluent.Kafka.Admin;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Tools;

namespace EventBus.Kafka.IntegrationTests.Topics;

/// <summary>
/// <c>eventbus-topics</c> as a separate process against a real Kafka: the plan/apply/verify cycle with the README's exit
/// codes, drift made out of band with Kafka's own tools and fixed by <c>apply --reconcile</c>.
/// </summary>
public sealed class TopicsToolProcessTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task SeparateProcess_PlanApplyVerifyOutOfBandDriftReconcile_DocumentedExitCodes()
    {
        broker.Require(BrokerCapabilities.AdminApi | BrokerCapabilities.AdminTools, "The eventbus-topics cycle with drift made by kafka-topics and kafka-configs");
        broker.RequireBrokers(3, "Topics at the tiers' replication factor 3");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var service = "cli-" + suffix;
        var (events, errors, dlq) = ("cli-events-" + suffix, "cli-errors-" + suffix, service + "-dlq");
        (string, string)[] variables = [.. broker.SecurityVariables(TestListener.Plaintext), ("SERVICE_NAME", service), ("KAFKA_TOPIC_EVENTS", events), ("KAFKA_TOPIC_ERRORS", errors)];
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

        // Nothing exists yet: verify lists the three as missing (2 with --fail-on-drift), plan says what it would create.
        var verify = await RunAsync(variables, "verify", "--fail-on-drift");
        Assert.Equal(TopicsCommand.Drift, verify.ExitCode);
        Assert.StartsWith("verify: 3 required, 0 created, 0 existing, 3 missing", verify.StdOut, StringComparison.Ordinal);
        var plan = await RunAsync(variables, "plan");
        Assert.Equal(TopicsCommand.Success, plan.ExitCode);
        Assert.StartsWith("plan: 3 required, 3 to create, 0 existing, 0 missing, 0 drift, 0 error(s); 3 broker(s), admin API available", plan.StdOut, StringComparison.Ordinal);
        Assert.All(new[] { events, errors, dlq }, t => Assert.Contains("create " + t, plan.StdOut, StringComparison.Ordinal));
        Assert.Empty(TopicsOnCluster(admin, events, errors, dlq));

        // apply creates them; a second apply creates nothing; verify is clean.
        var apply = await RunAsync(variables, "apply");
        Assert.Equal(TopicsCommand.Success, apply.ExitCode);
        Assert.StartsWith("apply: 3 required, 3 created, 0 existing, 0 missing, 0 drift, 0 error(s)", apply.StdOut, StringComparison.Ordinal);
        await broker.WaitUntilVisibleAsync([events, errors, dlq]);
        Assert.Equal(Sorted(dlq, errors, events), TopicsOnCluster(admin, events, errors, dlq).Keys.Order(StringComparer.Ordinal));
        var again = await RunAsync(variables, "apply");
        Assert.Equal(TopicsCommand.Success, again.ExitCode);
        Assert.StartsWith("apply: 3 required, 0 created, 3 existing, 0 missing, 0 drift, 0 error(s)", again.StdOut, StringComparison.Ordinal);
        Assert.Equal(TopicsCommand.Success, (await RunAsync(variables, "verify", "--fail-on-drift")).ExitCode);

        // Out of band, with Kafka's own tools: two more partitions, a shorter retention, and a config EventBus does not manage.
        await broker.RunKitToolAsync("kafka-topics.sh", "--bootstrap-server", broker.BootstrapServers, "--alter", "--topic", events, "--partitions", "5");
        await broker.RunKitToolAsync("kafka-configs.sh", "--zookeeper", broker.Kit!.ZookeeperConnect, "--alter", "--entity-type", "topics", "--entity-name", events,
            "--add-config", "retention.ms=3600000,max.message.bytes=2000000");
        await Wait.UntilAsync(() => TopicsOnCluster(admin, events)[events] == 5 && Configs(admin, events)["retention.ms"] == "3600000", TimeSpan.FromSeconds(30), "the out-of-band changes to show");

        var drift = await RunAsync(variables, "plan", "--fail-on-drift");
        Assert.Equal(TopicsCommand.Drift, drift.ExitCode);
        Assert.Contains($"drift {events}: partitions is 5, expected 3 (partitions are never decreased; raise KAFKA_TOPIC_EVENTS_PARTITIONS to 5 to match)", drift.StdOut, StringComparison.Ordinal);
        Assert.Contains($"drift {events}: retention.ms is 3600000, expected 604800000 (would be aligned if reconciling)", drift.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("max.message.bytes", drift.StdOut, StringComparison.Ordinal);
        Assert.Equal("3600000", Configs(admin, events)["retention.ms"]);   // plan changed nothing

        var reconcile = await RunAsync(variables, "apply", "--reconcile");
        Assert.Equal(TopicsCommand.Success, reconcile.ExitCode);
        Assert.Contains($"drift {events}: retention.ms is 3600000, expected 604800000 (aligned)", reconcile.StdOut, StringComparison.Ordinal);
        var configs = Configs(admin, events);
        Assert.Equal("604800000", configs["retention.ms"]);
        Assert.Equal("2000000", configs["max.message.bytes"]);             // not EventBus's: left as the operator set it
        Assert.Equal("2", configs["min.insync.replicas"]);
        Assert.Equal("snappy", configs["compression.type"]);
        Assert.Equal(5, TopicsOnCluster(admin, events)[events]);          // never decreased

        // What is left is the partition count, which only the spec can resolve.
        var still = await RunAsync(variables, "verify", "--fail-on-drift");
        Assert.Equal(TopicsCommand.Drift, still.ExitCode);
        Assert.StartsWith("verify: 3 required, 0 created, 3 existing, 0 missing, 1 drift, 0 error(s)", still.StdOut, StringComparison.Ordinal);
        var matched = await RunAsync([.. variables, ("KAFKA_TOPIC_EVENTS_PARTITIONS", "5")], "verify", "--fail-on-drift");
        Assert.Equal(TopicsCommand.Success, matched.ExitCode);

        // A spec asking for more partitions than exist: reconcile increases them.
        var grown = await RunAsync([.. variables, ("KAFKA_TOPIC_EVENTS_PARTITIONS", "8")], "apply", "--reconcile");
        Assert.Equal(TopicsCommand.Success, grown.ExitCode);
        Assert.Contains($"drift {events}: partitions is 5, expected 8 (increased to 8; keys moved to other partitions)", grown.StdOut, StringComparison.Ordinal);
        await Wait.UntilAsync(() => TopicsOnCluster(admin, events)[events] == 8, TimeSpan.FromSeconds(30), "8 partitions");
    }

    [Fact]
    public async Task SeparateProcess_ReplicationAboveBrokerCount_Exit1_NamesVariableAndBrokerCount()
    {
        broker.RequireAdminApi("Provisioning against the cluster's broker count");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var events = "cli-rf-" + suffix;
        var rf = (broker.BrokerCount + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        (string, string)[] variables = [.. broker.SecurityVariables(TestListener.Plaintext), ("SERVICE_NAME", "cli-rf-" + suffix),
            ("KAFKA_TOPIC_EVENTS", events), ("KAFKA_TOPIC_EVENTS_REPLICATION", rf), ("KAFKA_TOPIC_EVENTS_MIN_INSYNC_REPLICAS", "1")];

        var run = await RunAsync(variables, "apply");

        Assert.Equal(TopicsCommand.Failed, run.ExitCode);
        Assert.Contains($"error {events}: replication factor {rf} is more than the {broker.BrokerCount} broker(s) in the cluster; set KAFKA_TOPIC_EVENTS_REPLICATION to {broker.BrokerCount} or less", run.StdOut, StringComparison.Ordinal);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        Assert.Empty(TopicsOnCluster(admin, events));
    }

    [Fact]
    public async Task SeparateProcess_InvalidWithoutAnyCluster_Exit78_BadCommandLine_Exit64()
    {
        // No broker at all: the configuration is wrong on its own (min ISR above RF), so the tool says so before connecting.
        (string, string)[] variables = [("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"), ("SERVICE_NAME", "cli-bad"),
            ("KAFKA_TOPIC_EVENTS", "cli-bad-events"), ("KAFKA_TOPIC_EVENTS_REPLICATION", "2"), ("KAFKA_TOPIC_EVENTS_MIN_INSYNC_REPLICAS", "3")];

        var invalid = await RunAsync(variables, "apply");
        var usage = await RunAsync(variables, "apply", "--force");
        var missing = await RunAsync([("SERVICE_NAME", "cli-bad")], "verify");

        Assert.Equal(TopicsCommand.ConfigurationError, invalid.ExitCode);
        Assert.Contains("KAFKA_TOPIC_EVENTS_MIN_INSYNC_REPLICAS", invalid.StdErr, StringComparison.Ordinal);
        Assert.InRange(invalid.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.Equal(TopicsCommand.Usage, usage.ExitCode);
        Assert.Contains("usage: eventbus-topics", usage.StdErr, StringComparison.Ordinal);
        Assert.Equal(TopicsCommand.ConfigurationError, missing.ExitCode);
        Assert.Contains("KAFKA_BOOTSTRAP_SERVERS", missing.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeparateProcess_AwsMskIam_TheToolCarriesTheTokenProvider()
    {
        // The configuration is wrong on its own (min ISR above RF), so the tool stops before connecting: what it lists
        // shows that AWS_MSK_IAM resolved its token provider, instead of asking for the EventBus.Kafka.Aws package.
        (string, string)[] variables = [("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"), ("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
            ("KAFKA_SASL_MECHANISM", "AWS_MSK_IAM"), ("AWS_REGION", "eu-west-1"), ("SERVICE_NAME", "cli-msk"),
            ("KAFKA_TOPIC_EVENTS", "cli-msk-events"), ("KAFKA_TOPIC_EVENTS_REPLICATION", "2"), ("KAFKA_TOPIC_EVENTS_MIN_INSYNC_REPLICAS", "3")];

        var run = await RunAsync(variables, "plan");

        Assert.Equal(TopicsCommand.ConfigurationError, run.ExitCode);
        Assert.Contains("KAFKA_TOPIC_EVENTS_MIN_INSYNC_REPLICAS", run.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("EventBus.Kafka.Aws", run.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("KAFKA_SASL_MECHANISM", run.StdErr, StringComparison.Ordinal);
    }

    private async Task<ToolRun> RunAsync(IEnumerable<(string Name, string Value)> variables, params string[] args)
    {
        var run = await TopicsToolProcess.RunAsync(variables, args);
        output.WriteLine(run.ToString());
        return run;
    }

    /// <summary>Partition counts of those of the topics that exist.</summary>
    private static Dictionary<string, int> TopicsOnCluster(IAdminClient admin, params string[] topics)
    {
        var wanted = topics.ToHashSet(StringComparer.Ordinal);
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Where(t => wanted.Contains(t.Topic) && t.Error.Code == ErrorCode.NoError)
            .ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal);
    }

    private static Dictionary<string, string> Configs(IAdminClient admin, string topic) =>
        admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }]).GetAwaiter().GetResult()
            .Single().Entries.ToDictionary(e => e.Key, e => e.Value.Value, StringComparer.Ordinal);

    /// <summary>The names in ordinal order (the random suffix decides where the DLQ sorts).</summary>
    private static string[] Sorted(params string[] names) => [.. names.Order(StringComparer.Ordinal)];
}
