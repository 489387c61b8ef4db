using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Tools;
using EventBus.Kafka.Topics;

namespace EventBus.Kafka.IntegrationTests.Topics;

/// <summary>The provisioner's acceptance against a real multi-broker Kafka: tiers at their defaults, and a refused creation.</summary>
public sealed class TopicProvisionerAcceptanceTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task Provision_ThreeTiersAtTheirDefaults_PartitionsReplicationAndConfigsReadBack_SecondRunCreatesNothing()
    {
        broker.RequireAdminApi("Creating the three tiers and reading them back through DescribeConfigs");
        broker.RequireBrokers(3, "The tiers' default replication factor 3");
        var ct = TestContext.Current.CancellationToken;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (events, errors, dlq) = ("tier-events-" + suffix, "tier-errors-" + suffix, $"tier-{suffix}-dlq");
        var options = broker.CreateOptions("tier-" + suffix, ("KAFKA_TOPIC_EVENTS", events), ("KAFKA_TOPIC_ERRORS", errors));

        using var provisioner = new TopicProvisioner(options);
        var first = await provisioner.ProvisionAsync(ct);
        var second = await provisioner.ProvisionAsync(ct);
        output.WriteLine(first.ToString() + second);

        Assert.Equal(Sorted(dlq, errors, events), first.Created.Order(StringComparer.Ordinal));
        Assert.True(first.AdminApiAvailable);
        Assert.Equal(broker.BrokerCount, first.BrokerCount);
        Assert.Empty(second.Created);
        Assert.Equal(Sorted(dlq, errors, events), second.Existing.Order(StringComparer.Ordinal));
        Assert.Empty(second.Drift);
        Assert.Empty(second.Errors);

        // Read back with a client of the test's own: partitions and replicas from metadata, configs from DescribeConfigs.
        await broker.WaitUntilVisibleAsync([events, errors, dlq]);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var topics = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.ToDictionary(t => t.Topic, StringComparer.Ordinal);
        var described = (await admin.DescribeConfigsAsync(new[] { events, errors, dlq }.Select(t => new ConfigResource { Type = ResourceType.Topic, Name = t })))
            .ToDictionary(r => r.ConfigResource.Name, r => r.Entries, StringComparer.Ordinal);
        var expected = new Dictionary<string, (int Partitions, string Retention, string MinIsr)>
        {
            [events] = (3, "604800000", "2"),      // standard: 3 partitions, RF 3, 7 d, min ISR 2
            [errors] = (1, "2592000000", "1"),     // error: 1, RF 3, 30 d, min ISR 1
            [dlq] = (1, "2592000000", "1"),        // dlq: 1, RF 3, 30 d, min ISR 1
        };
        foreach (var (topic, spec) in expected)
        {
            Assert.Equal(spec.Partitions, topics[topic].Partitions.Count);
            Assert.All(topics[topic].Partitions, p => Assert.Equal(3, p.Replicas.Distinct().Count()));
            var entries = described[topic];
            Assert.Equal((spec.Retention, spec.MinIsr, "snappy"), (entries["retention.ms"].Value, entries["min.insync.replicas"].Value, entries["compression.type"].Value));
            Assert.All(TopicProvisioner.ManagedConfigs, name => Assert.Equal(ConfigSource.DynamicTopicConfig, entries[name].Source));
        }
    }

    [Fact]
    public async Task Provision_DenyCreateAcl_FatalInProcessAndExit1FromTheTool_NamesTheMissingPermission()
    {
        broker.Require(BrokerCapabilities.AdminApi | BrokerCapabilities.Acls | BrokerCapabilities.Sasl, "Provisioning as a principal denied CREATE");
        var ct = TestContext.Current.CancellationToken;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (service, events) = ("nocreate-" + suffix, "nocreate-events-" + suffix);

        // A SASL user of this test's own, denied CREATE on the cluster and on every topic: no other test is affected.
        var user = await broker.CreateScramUserAsync("nocreate");
        var principal = broker.PrincipalOf(TestListener.SaslSsl, user);
        await broker.DenyAsync(principal, "Create", "--cluster", "--topic", "*");
        (string, string)[] topicVariables = [("KAFKA_TOPIC_EVENTS", events), ("KAFKA_TOPIC_EVENTS_REPLICATION", "1"), ("KAFKA_TOPIC_EVENTS_MIN_INSYNC_REPLICAS", "1"),
            ("KAFKA_TOPIC_DLQ_REPLICATION", "1"), ("KAFKA_TOPIC_CREATION_TIMEOUT", "10")];
        var options = broker.CreateOptions(TestListener.SaslSsl, user, service, topicVariables);
        await WaitUntilCreateRefusedAsync(options);

        using var provisioner = new TopicProvisioner(options);
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<TopicProvisioningException>(() => provisioner.ProvisionAsync(ct));
        var elapsed = clock.Elapsed;
        output.WriteLine($"in process, after {elapsed.TotalSeconds:0.0} s: {failure.Message}");

        var report = failure.Report!;
        string[] expected = [.. new[] { service + "-dlq", events }.Order(StringComparer.Ordinal)];
        Assert.Equal(expected, report.Errors.Select(e => e.Topic).Order(StringComparer.Ordinal));
        Assert.All(report.Errors, e =>
        {
            Assert.Equal(ErrorCode.TopicAuthorizationFailed, e.Code);
            Assert.Contains("CREATE", e.Reason, StringComparison.Ordinal);
            Assert.Contains(principal, e.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(expected, report.Missing.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(report.Notes, n => n.Contains("retrying", StringComparison.Ordinal));   // fatal: not retried
        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));

        // The tool, as a separate process with the same variables: exit 1 and the same explanation.
        var run = await TopicsToolProcess.RunAsync([.. broker.SecurityVariables(TestListener.SaslSsl, user), ("SERVICE_NAME", service), .. topicVariables], "apply");
        output.WriteLine(run.ToString());
        Assert.Equal(TopicsCommand.Failed, run.ExitCode);
        Assert.Contains($"error {events}: not authorized to create topic '{events}'", run.StdOut, StringComparison.Ordinal);
        Assert.Contains($"{principal} lacks the CREATE permission", run.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain(user.Password, run.StdOut + run.StdErr, StringComparison.Ordinal);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic == events && t.Error.Code == ErrorCode.NoError);
    }

    /// <summary>ACLs reach the controller a moment after kafka-acls returns: try creating a throw-away topic until it is refused.</summary>
    private static async Task WaitUntilCreateRefusedAsync(EventBusOptions options)
    {
        using var admin = new AdminClientBuilder(KafkaClientConfigFactory.CreateAdminClientConfig(options)).Build();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await admin.CreateTopicsAsync([new TopicSpecification { Name = KafkaTestBroker.UniqueTopic("acl-probe"), NumPartitions = 1, ReplicationFactor = 1 }]);
            }
            catch (CreateTopicsException ex) when (ex.Results.Single().Error.Code == ErrorCode.TopicAuthorizationFailed)
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the DENY CREATE ACL was not enforced within 30 s");
        }
    }

    /// <summary>The names in ordinal order (the random suffix decides where the DLQ sorts).</summary>
    private static string[] Sorted(params string[] names) => [.. names.Order(StringComparer.Ordinal)];
}
