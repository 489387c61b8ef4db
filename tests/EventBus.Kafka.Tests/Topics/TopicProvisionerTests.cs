using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Tests.Configuration;
using EventBus.Kafka.Topics;

namespace EventBus.Kafka.Tests.Topics;

public sealed class TopicProvisionerTests
{
    private const string Events = "orders.events";
    private const string Errors = "orders.errors";
    private const string Dlq = "orders-dlq";

    [Fact]
    public async Task NothingToDo_AllExistAsSpecified()
    {
        var admin = ClusterWithAllTopics();

        var report = await Provisioner(admin).ApplyAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(report.Succeeded);
        Assert.Empty(admin.CreateCalls);
        Assert.Empty(report.Created);
        Assert.Empty(report.Drift);
        Assert.Equal([Dlq, Errors, Events], report.Existing.Order(StringComparer.Ordinal));
        Assert.NotNull(report.LastVerification);
    }

    [Fact]
    public async Task Missing_CreatedWithTierSettings()
    {
        var admin = new FakeAdminClient();

        var report = await Provisioner(admin).ProvisionAsync(TestContext.Current.CancellationToken);

        Assert.Equal([Dlq, Errors, Events], report.Created.Order(StringComparer.Ordinal));
        var created = Assert.Single(admin.CreateCalls).ToDictionary(s => s.Name);
        Assert.Equal((3, (short)3), (created[Events].NumPartitions, created[Events].ReplicationFactor));
        Assert.Equal(("604800000", "2", "snappy"), (created[Events].Configs["retention.ms"], created[Events].Configs["min.insync.replicas"], created[Events].Configs["compression.type"]));
        Assert.Equal((1, "2592000000", "1"), (created[Errors].NumPartitions, created[Errors].Configs["retention.ms"], created[Errors].Configs["min.insync.replicas"]));
        Assert.Equal((1, "2592000000", "1"), (created[Dlq].NumPartitions, created[Dlq].Configs["retention.ms"], created[Dlq].Configs["min.insync.replicas"]));
        Assert.Empty(report.Drift);
    }

    [Fact]
    public async Task AlreadyExistsRace_ExpectedNotAnError()
    {
        var admin = new FakeAdminClient();
        admin.CreateFailures.Enqueue(new() { [Events] = ErrorCode.TopicAlreadyExists }); // created by another instance meanwhile

        var report = await Provisioner(admin).ProvisionAsync(TestContext.Current.CancellationToken);

        Assert.True(report.Succeeded);
        Assert.Contains(Events, report.Existing);
        Assert.Contains(report.Notes, n => n.Contains("created concurrently", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RetriableThenSuccess_Retried()
    {
        var admin = new FakeAdminClient();
        admin.CreateFailures.Enqueue(new() { [Events] = ErrorCode.NotController, [Dlq] = ErrorCode.RequestTimedOut });
        admin.CreateFailures.Enqueue(new() { [Events] = ErrorCode.LeaderNotAvailable });

        var report = await Provisioner(admin).ProvisionAsync(TestContext.Current.CancellationToken);

        Assert.True(report.Succeeded);
        Assert.Equal(3, admin.CreateCalls.Count);
        Assert.Equal([Events], admin.CreateCalls[2].Select(s => s.Name));
        Assert.Equal([Dlq, Errors, Events], report.Created.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RetriesExhausted_ErrorNamesTheVariables()
    {
        var admin = new FakeAdminClient();
        for (var i = 0; i < 4; i++)
        {
            admin.CreateFailures.Enqueue(new() { [Events] = ErrorCode.RequestTimedOut });
        }

        var ex = await Assert.ThrowsAsync<TopicProvisioningException>(() => Provisioner(admin, ("KAFKA_TOPIC_CREATION_RETRIES", "3")).ProvisionAsync(TestContext.Current.CancellationToken));

        Assert.Equal(4, admin.CreateCalls.Count);
        var error = Assert.Single(ex.Report!.Errors);
        Assert.Equal((Events, ErrorCode.RequestTimedOut), (error.Topic, error.Code));
        Assert.Contains("KAFKA_TOPIC_CREATION_RETRIES", error.Reason, StringComparison.Ordinal);
        Assert.Contains(Events, ex.Report.Missing);
    }

    [Fact]
    public async Task Fatal_NotRetried_StartupFails()
    {
        var admin = new FakeAdminClient();
        admin.CreateFailures.Enqueue(new() { [Events] = ErrorCode.TopicAuthorizationFailed, [Errors] = ErrorCode.PolicyViolation });

        var ex = await Assert.ThrowsAsync<TopicProvisioningException>(() => Provisioner(admin).ProvisionAsync(TestContext.Current.CancellationToken));

        Assert.Single(admin.CreateCalls);
        Assert.Equal([Errors, Events], ex.Report!.Errors.Select(e => e.Topic).Order(StringComparer.Ordinal));
        Assert.Contains("not authorized", ex.Report.Errors.Single(e => e.Topic == Events).Reason, StringComparison.Ordinal);
        Assert.Contains(Dlq, ex.Report.Created);
        Assert.Contains("Topic provisioning failed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Created_NotYetKnownToTheAnsweringBroker_WaitedFor_ThenVerified()
    {
        var admin = new FakeAdminClient { MetadataLagCalls = 2, DescribeLagCalls = 2 };

        var report = await Provisioner(admin).ApplyAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(report.Succeeded);
        Assert.True(report.AdminApiAvailable);
        Assert.Equal([Dlq, Errors, Events], report.Created.Order(StringComparer.Ordinal));
        Assert.Empty(report.Drift);
        Assert.Empty(report.Notes);
        Assert.Equal(4, admin.MetadataCalls);   // the listing, two lagging answers, then one with the new topics
        Assert.Equal(3, admin.DescribeCalls);   // two "unknown topic" answers, then the configs
    }

    [Fact]
    public async Task Created_NeverInMetadataWithinTheTimeout_NotedNotVerified()
    {
        var admin = new FakeAdminClient { MetadataLagCalls = int.MaxValue };

        var report = await Provisioner(admin, ("KAFKA_TOPIC_CREATION_TIMEOUT", "0.5")).ApplyAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(3, report.Created.Count);
        Assert.Equal(3, report.Notes.Count(n => n.Contains("created, but not in the cluster's metadata", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DescribeConfigsRefusedForOneTopic_Noted_OthersVerified_AdminApiStillAvailable()
    {
        var admin = ClusterWithAllTopics();
        admin.Topics[Events].Configs["retention.ms"] = "1000";
        admin.Topics[Errors].Configs["retention.ms"] = "1000";
        admin.DescribeDenied.Add(Events);

        var report = await Provisioner(admin).VerifyAsync(TestContext.Current.CancellationToken);

        Assert.True(report.AdminApiAvailable);
        Assert.Contains(report.Notes, n => n.StartsWith(Events + ": its configs could not be read (TopicAuthorizationFailed", StringComparison.Ordinal));
        Assert.Equal([(Errors, "retention.ms")], report.Drift.Select(d => (d.Topic, d.Setting)));
    }

    [Theory]
    [InlineData(ErrorCode.TopicAuthorizationFailed)]
    [InlineData(ErrorCode.ClusterAuthorizationFailed)]
    public async Task CreateNotAuthorized_ReasonNamesTopicPrincipalAndCreatePermission_NoSecret(ErrorCode code)
    {
        var admin = new FakeAdminClient();
        admin.CreateFailures.Enqueue(new() { [Events] = code });

        var report = await Provisioner(admin, ("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"), ("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
            ("KAFKA_SASL_USERNAME", "orders-svc"), ("KAFKA_SASL_PASSWORD", "s3cret-value")).ApplyAsync(cancellationToken: TestContext.Current.CancellationToken);

        var error = report.Errors.Single(e => e.Topic == Events);
        Assert.Equal(code, error.Code);
        Assert.Contains($"not authorized to create topic '{Events}'", error.Reason, StringComparison.Ordinal);
        Assert.Contains("User:orders-svc lacks the CREATE permission", error.Reason, StringComparison.Ordinal);
        Assert.Contains($"--allow-principal User:orders-svc --operation Create --topic {Events}", error.Reason, StringComparison.Ordinal);
        Assert.Single(admin.CreateCalls);
        Assert.DoesNotContain("s3cret-value", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateNotAuthorized_PrincipalUnknown_SaysThisServicesPrincipal()
    {
        var admin = new FakeAdminClient();
        admin.CreateFailures.Enqueue(new() { [Events] = ErrorCode.TopicAuthorizationFailed });

        var report = await Provisioner(admin).ApplyAsync(cancellationToken: TestContext.Current.CancellationToken);

        var reason = report.Errors.Single(e => e.Topic == Events).Reason;
        Assert.Contains("this service's principal lacks the CREATE permission", reason, StringComparison.Ordinal);
        Assert.Contains("--allow-principal User:<principal> --operation Create", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplicationAboveBrokerCount_ErrorSaysBrokersAndVariable()
    {
        var admin = new FakeAdminClient(brokers: 1);

        var ex = await Assert.ThrowsAsync<TopicProvisioningException>(() => Provisioner(admin).ProvisionAsync(TestContext.Current.CancellationToken));

        Assert.Empty(admin.CreateCalls);
        var error = ex.Report!.Errors.Single(e => e.Topic == Events);
        Assert.Contains("1 broker(s)", error.Reason, StringComparison.Ordinal);
        Assert.Contains("KAFKA_TOPIC_EVENTS_REPLICATION", error.Reason, StringComparison.Ordinal);
        Assert.Equal(3, ex.Report.Errors.Count);
    }

    [Fact]
    public async Task InvalidName_InCodeSpecification_Rejected()
    {
        var admin = new FakeAdminClient();
        var options = Options();
        options.Topics.Topics["BAD"] = new TopicDefinition { Name = "bad topic/name" };

        var report = await new TopicProvisioner(options, admin).ApplyAsync(cancellationToken: TestContext.Current.CancellationToken);

        var error = Assert.Single(report.Errors);
        Assert.Equal("bad topic/name", error.Topic);
        Assert.Contains("KAFKA_TOPIC_BAD", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(admin.CreateCalls.SelectMany(c => c), s => s.Name == "bad topic/name");
    }

    [Fact]
    public async Task Drift_PartitionsAndConfigs_Reported_NotChanged()
    {
        var admin = ClusterWithAllTopics();
        admin.Add(Events, 2, 3, new() { ["retention.ms"] = "1000", ["min.insync.replicas"] = "2", ["compression.type"] = "lz4" });
        admin.Add(Errors, 4, 3, new() { ["retention.ms"] = "2592000000", ["min.insync.replicas"] = "1", ["compression.type"] = "snappy" });

        var report = await Provisioner(admin).VerifyAsync(TestContext.Current.CancellationToken);

        Assert.Equal(
            [(Errors, "partitions", "1", "4"), (Events, "compression.type", "snappy", "lz4"), (Events, "partitions", "3", "2"), (Events, "retention.ms", "604800000", "1000")],
            report.Drift.Select(d => (d.Topic, d.Setting, d.Expected, d.Actual)).Order());
        Assert.Contains("never decreased", report.Drift.Single(d => d.Topic == Errors).Resolution, StringComparison.Ordinal);
        Assert.Empty(admin.PartitionIncreases);
        Assert.Empty(admin.ConfigChanges);
        Assert.Equal(2, admin.Topics[Events].Partitions);
    }

    [Fact]
    public async Task Reconcile_IncreasesPartitions_AlignsConfigs_NeverDecreases()
    {
        var admin = ClusterWithAllTopics();
        admin.Add(Events, 2, 3, new() { ["retention.ms"] = "1000", ["min.insync.replicas"] = "2", ["compression.type"] = "snappy" });
        admin.Add(Errors, 4, 3, new() { ["retention.ms"] = "2592000000", ["min.insync.replicas"] = "1", ["compression.type"] = "snappy" });

        var report = await Provisioner(admin).ApplyAsync(reconcile: true, TestContext.Current.CancellationToken);

        Assert.Equal([(Events, 3)], admin.PartitionIncreases.Select(p => (p.Topic, p.IncreaseTo)));
        Assert.Equal([(Events, "retention.ms", "604800000")], admin.ConfigChanges);
        Assert.Equal(4, admin.Topics[Errors].Partitions);
        Assert.Contains("keys moved", report.Drift.Single(d => d.Setting == "partitions" && d.Topic == Events).Resolution, StringComparison.Ordinal);
        var again = await Provisioner(admin).VerifyAsync(TestContext.Current.CancellationToken);
        Assert.Equal([(Errors, "partitions")], again.Drift.Select(d => (d.Topic, d.Setting)));
    }

    [Fact]
    public async Task Plan_ChangesNothing_ListsWhatWouldBeCreated()
    {
        var admin = new FakeAdminClient();
        admin.Add(Events, 2, 3);

        var report = await Provisioner(admin).PlanAsync(TestContext.Current.CancellationToken);

        Assert.Equal("plan", report.Operation);
        Assert.Equal([Dlq, Errors], report.Created.Order(StringComparer.Ordinal));
        Assert.Contains(report.Drift, d => d.Topic == Events && d.Setting == "partitions" && d.Resolution.Contains("would", StringComparison.Ordinal));
        Assert.Empty(admin.CreateCalls);
        Assert.Empty(admin.PartitionIncreases);
        Assert.Equal([Events], admin.Topics.Keys);
        Assert.Contains("create orders-dlq", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutoCreateFalse_VerifiesOnly_MissingListed()
    {
        var admin = new FakeAdminClient();

        var report = await Provisioner(admin, ("KAFKA_TOPIC_AUTO_CREATE", "false")).ProvisionAsync(TestContext.Current.CancellationToken);

        Assert.Empty(admin.CreateCalls);
        Assert.Equal([Dlq, Errors, Events], report.Missing.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task NoAdminApi_ReportedAndFallsBackToMetadata()
    {
        var admin = ClusterWithAllTopics();
        admin.HasAdminApi = false;
        admin.Add(Events, 1, 3);

        var report = await Provisioner(admin).ApplyAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(report.Succeeded);
        Assert.False(report.AdminApiAvailable);
        Assert.Contains(report.Notes, n => n.Contains("DescribeConfigs", StringComparison.Ordinal));
        Assert.Equal([(Events, "partitions")], report.Drift.Select(d => (d.Topic, d.Setting)));
    }

    private static FakeAdminClient ClusterWithAllTopics()
    {
        var admin = new FakeAdminClient();
        admin.Add(Events, 3, 3);
        admin.Add(Errors, 1, 3, new() { ["retention.ms"] = "2592000000", ["min.insync.replicas"] = "1", ["compression.type"] = "snappy" });
        admin.Add(Dlq, 1, 3, new() { ["retention.ms"] = "2592000000", ["min.insync.replicas"] = "1", ["compression.type"] = "snappy" });
        return admin;
    }

    private static EventBusOptions Options(params (string Name, string? Value)[] extra) =>
        EventBusOptions.FromVariables(Variables.With([("KAFKA_TOPIC_EVENTS", Events), ("KAFKA_TOPIC_ERRORS", Errors), ("KAFKA_TOPIC_CREATION_RETRY_DELAY", "0"), .. extra]));

    private static TopicProvisioner Provisioner(FakeAdminClient admin, params (string Name, string? Value)[] extra) => new(Options(extra), admin);
}
