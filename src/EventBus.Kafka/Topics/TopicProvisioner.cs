using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Topics;

/// <summary>
/// Creates the service's topics (<c>KAFKA_TOPIC_{KEY}</c>) in their tiers, verifies them, and reports drift.
/// Workflow: validate every specification → list existing topics → create the missing ones (retrying retriable
/// failures) → verify (DescribeConfigs, or metadata when the cluster has no admin API) → report.
/// </summary>
/// <remarks>
/// Errors are classified: expected (the topic already exists, or another instance created it) → noted; retriable
/// (timeouts, broker or leader not available, not controller) → retried <c>KAFKA_TOPIC_CREATION_RETRIES</c> times
/// <c>KAFKA_TOPIC_CREATION_RETRY_DELAY</c> apart; fatal (invalid config or replication factor, authorization,
/// policy) → reported, and <see cref="ProvisionAsync"/> throws <see cref="TopicProvisioningException"/>.
/// </remarks>
public sealed class TopicProvisioner : IDisposable
{
    /// <summary>The topic settings the provisioner manages.</summary>
    public static readonly IReadOnlyList<string> ManagedConfigs = ["retention.ms", "min.insync.replicas", "compression.type"];

    private readonly EventBusOptions _options;
    private readonly AdminConnection _connection;
    private readonly IAdminClient _admin;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="TopicProvisioner"/> class.</summary>
    /// <param name="options">The options (topics, tiers, provisioning settings, connection).</param>
    /// <param name="adminClient">The admin client to use (not disposed); <see langword="null"/> builds one from the options.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="timeProvider">The clock (for retry delays and report times); <see langword="null"/> for the system clock.</param>
    public TopicProvisioner(EventBusOptions options, IAdminClient? adminClient = null, ILogger<TopicProvisioner>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _connection = new AdminConnection(options, adminClient, _logger, _time);
        _admin = _connection.Admin;
    }

    /// <summary>Gets the report of the last run, for health reports (<see langword="null"/> before the first).</summary>
    public TopicProvisioningReport? LastReport { get; private set; }

    /// <summary>
    /// The start-up entry: applies (creates missing topics) when <c>KAFKA_TOPIC_AUTO_CREATE</c> is true, otherwise
    /// only verifies. Throws when there are errors.
    /// </summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report.</returns>
    /// <exception cref="TopicProvisioningException">A fatal error (invalid specification, refused creation, retries exhausted, the
    /// cluster unreachable, TLS or authentication failing): <see cref="TopicProvisioningException.Diagnosis"/> has its class.</exception>
    public async Task<TopicProvisioningReport> ProvisionAsync(CancellationToken cancellationToken = default)
    {
        var report = _options.Topics.AutoCreate
            ? await ApplyAsync(reconcile: false, cancellationToken).ConfigureAwait(false)
            : await VerifyAsync(cancellationToken).ConfigureAwait(false);
        return report.Succeeded ? report : throw new TopicProvisioningException(report);
    }

    /// <summary>Says what <see cref="ApplyAsync"/> would create or change, without changing anything.</summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The plan: <see cref="TopicProvisioningReport.Created"/> lists topics that would be created, <see cref="TopicProvisioningReport.Plans"/> how.</returns>
    /// <exception cref="TopicProvisioningException">The cluster could not be reached (unreachable, TLS, authentication): the exception has the diagnosis.</exception>
    public Task<TopicProvisioningReport> PlanAsync(CancellationToken cancellationToken = default) => RunAsync("plan", create: false, reconcile: false, cancellationToken);

    /// <summary>Creates the missing topics, then verifies every topic and reports drift.</summary>
    /// <param name="reconcile">Also fix drift: increase partitions (never decrease: keys move to other partitions) and align configs.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report.</returns>
    /// <exception cref="TopicProvisioningException">The cluster could not be reached (unreachable, TLS, authentication): the exception has the diagnosis.</exception>
    public Task<TopicProvisioningReport> ApplyAsync(bool reconcile = false, CancellationToken cancellationToken = default) => RunAsync("apply", create: true, reconcile, cancellationToken);

    /// <summary>Checks that every topic exists with its specification; changes nothing.</summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report; missing topics are listed, not errors.</returns>
    /// <exception cref="TopicProvisioningException">The cluster could not be reached (unreachable, TLS, authentication): the exception has the diagnosis.</exception>
    public Task<TopicProvisioningReport> VerifyAsync(CancellationToken cancellationToken = default) => RunAsync("verify", create: false, reconcile: false, cancellationToken);

    /// <summary>Disposes the admin client if the provisioner built it.</summary>
    public void Dispose() => _connection.Dispose();

    internal static bool IsRetriable(ErrorCode code) => code is
        ErrorCode.RequestTimedOut or ErrorCode.Local_TimedOut or ErrorCode.BrokerNotAvailable or ErrorCode.LeaderNotAvailable
        or ErrorCode.NotController or ErrorCode.NetworkException or ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown
        or ErrorCode.NotCoordinatorForGroup or ErrorCode.ThrottlingQuotaExceeded or ErrorCode.Local_WaitCoord;

    /// <summary>
    /// Whether an error means the cluster has no admin API: it refuses the request type, or reports no controller
    /// (librdkafka sends CreateTopics and DescribeConfigs to the controller; the mock cluster and some
    /// Kafka-compatible services never name one).
    /// </summary>
    internal static bool IsAdminApiMissing(Error error) =>
        error.Code is ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion or ErrorCode.Local_NotImplemented or ErrorCode.InvalidRequest
        || (error.Code == ErrorCode.Local_TimedOut && error.Reason.Contains("controller", StringComparison.OrdinalIgnoreCase));

    private async Task<TopicProvisioningReport> RunAsync(string operation, bool create, bool reconcile, CancellationToken cancellationToken)
    {
        var specs = _options.Topics.GetResolvedTopics();
        var metadata = await _connection.GetMetadataAsync(operation, specs.Select(s => s.Name), cancellationToken).ConfigureAwait(false);
        var report = new TopicProvisioningReport(operation, adminApiAvailable: true, metadata.Brokers.Count);
        report.RequiredList.AddRange(specs.Select(s => s.Name));
        if (await _connection.FindMissingControllerAsync(cancellationToken).ConfigureAwait(false) is { } noController)
        {
            // Every CreateTopics and DescribeConfigs would wait out the creation timeout: say so now instead.
            report.AdminApiAvailable = false;
            report.NoteList.Add($"the cluster does not implement the admin API EventBus needs: {noController} (librdkafka sends CreateTopics and DescribeConfigs to the controller); " +
                "missing topics must be created with the cluster's own tooling, and topics are verified through metadata");
            Log.AdminApiMissing(_logger, operation, noController);
        }

        var valid = Validate(specs, metadata.Brokers.Count, report);
        var existing = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
        var missing = valid.Where(s => !existing.Contains(s.Name)).ToList();
        report.ExistingList.AddRange(valid.Where(s => existing.Contains(s.Name)).Select(s => s.Name));

        if (operation == "plan")
        {
            report.CreatedList.AddRange(missing.Select(s => s.Name));
            report.PlanList.AddRange(missing.Select(ToPlan));
        }
        else if (create && missing.Count > 0 && report.AdminApiAvailable)
        {
            await CreateAsync(missing, report, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            report.MissingList.AddRange(missing.Select(s => s.Name));
        }

        var toVerify = valid.Where(s => existing.Contains(s.Name) || report.CreatedList.Contains(s.Name)).ToList();
        if (operation == "plan")
        {
            toVerify = valid.Where(s => existing.Contains(s.Name)).ToList();
        }

        report.PlanList.AddRange(missing.Where(s => operation != "plan" && report.CreatedList.Contains(s.Name)).Select(ToPlan));
        await VerifyAsync(toVerify, report, reconcile, planOnly: operation == "plan", cancellationToken).ConfigureAwait(false);
        LastReport = report;
        Log.Completed(_logger, operation, report.CreatedList.Count, report.ExistingList.Count, report.MissingList.Count, report.DriftList.Count, report.ErrorList.Count);
        return report;
    }

    private List<ResolvedTopic> Validate(IReadOnlyList<ResolvedTopic> specs, int brokers, TopicProvisioningReport report)
    {
        var valid = new List<ResolvedTopic>(specs.Count);
        foreach (var spec in specs)
        {
            var variable = EventBusEnvironmentVariables.ForTopic(spec.Key);
            var before = report.ErrorList.Count;
            if (!EventBusOptionsValidator.IsValidTopicName(spec.Name))
            {
                Fail(report, spec.Name, $"'{spec.Name}' is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -, not '.' or '..'); change {variable}");
            }

            if (spec.Partitions <= 0)
            {
                Fail(report, spec.Name, $"partitions must be 1 or more, not {spec.Partitions}; change {variable}{EventBusEnvironmentVariables.TopicPartitionsSuffix}");
            }

            if (spec.ReplicationFactor <= 0)
            {
                Fail(report, spec.Name, $"replication factor must be 1 or more, not {spec.ReplicationFactor}; change {variable}{EventBusEnvironmentVariables.TopicReplicationSuffix}");
            }
            else if (spec.ReplicationFactor > brokers)
            {
                Fail(report, spec.Name, $"replication factor {spec.ReplicationFactor} is more than the {brokers} broker(s) in the cluster; set {variable}{EventBusEnvironmentVariables.TopicReplicationSuffix} to {brokers} or less");
            }

            if (spec.MinInsyncReplicas > spec.ReplicationFactor)
            {
                Fail(report, spec.Name, $"min.insync.replicas {spec.MinInsyncReplicas} is above the replication factor {spec.ReplicationFactor}; lower {variable}{EventBusEnvironmentVariables.TopicMinInsyncReplicasSuffix}");
            }

            if (report.ErrorList.Count == before)
            {
                valid.Add(spec);
            }
        }

        return valid;
    }

    private async Task CreateAsync(List<ResolvedTopic> missing, TopicProvisioningReport report, CancellationToken cancellationToken)
    {
        var pending = missing;
        var timeout = _options.Topics.CreationTimeout;
        for (var attempt = 0; pending.Count > 0; attempt++)
        {
            var retry = new List<ResolvedTopic>();
            try
            {
                await _admin.CreateTopicsAsync(
                    pending.Select(ToSpecification),
                    new CreateTopicsOptions { OperationTimeout = timeout, RequestTimeout = timeout }).ConfigureAwait(false);
                foreach (var spec in pending)
                {
                    report.CreatedList.Add(spec.Name);
                    Log.Created(_logger, spec.Name, spec.Partitions, spec.ReplicationFactor, spec.Tier.ToString());
                }
            }
            catch (CreateTopicsException ex)
            {
                foreach (var result in ex.Results)
                {
                    var spec = pending.First(s => s.Name == result.Topic);
                    var code = result.Error.Code;
                    if (code == ErrorCode.NoError)
                    {
                        report.CreatedList.Add(spec.Name);
                        Log.Created(_logger, spec.Name, spec.Partitions, spec.ReplicationFactor, spec.Tier.ToString());
                    }
                    else if (code == ErrorCode.TopicAlreadyExists)
                    {
                        report.ExistingList.Add(spec.Name);
                        report.NoteList.Add($"{spec.Name}: already exists (created concurrently by another instance)");
                        Log.AlreadyExists(_logger, spec.Name);
                    }
                    else if (IsAdminApiMissing(result.Error))
                    {
                        report.AdminApiAvailable = false;
                        report.MissingList.Add(spec.Name);
                        report.NoteList.Add($"{spec.Name}: the cluster does not implement CreateTopics ({result.Error.Reason}); create it with the cluster's own tooling");
                    }
                    else if (IsRetriable(code) && attempt < _options.Topics.CreationRetries)
                    {
                        retry.Add(spec);
                        report.NoteList.Add($"{spec.Name}: {code} on attempt {attempt + 1}, retrying");
                        Log.Retrying(_logger, spec.Name, code.ToString(), attempt + 1);
                    }
                    else
                    {
                        report.MissingList.Add(spec.Name);
                        Fail(report, spec.Name, Explain(code, result.Error.Reason, spec, attempt), code, _connection.Monitor.DiagnoseOperation(result.Error, spec.Name, record: false));
                    }
                }
            }
            catch (KafkaException ex) when (IsAdminApiMissing(ex.Error))
            {
                report.AdminApiAvailable = false;
                report.MissingList.AddRange(pending.Select(s => s.Name));
                report.NoteList.Add($"the cluster does not implement CreateTopics ({ex.Error.Reason}); missing topics must be created with the cluster's own tooling");
            }
            catch (KafkaException ex) when (IsRetriable(ex.Error.Code) && attempt < _options.Topics.CreationRetries)
            {
                retry.AddRange(pending);
                report.NoteList.Add($"CreateTopics failed with {ex.Error.Code} on attempt {attempt + 1}, retrying");
            }
            catch (KafkaException ex)
            {
                report.MissingList.AddRange(pending.Select(s => s.Name));
                foreach (var spec in pending)
                {
                    Fail(report, spec.Name, Explain(ex.Error.Code, ex.Error.Reason, spec, attempt), ex.Error.Code, _connection.Diagnose(ex.Error));
                }
            }

            pending = retry;
            if (pending.Count > 0 && _options.Topics.CreationRetryDelay > TimeSpan.Zero)
            {
                await Task.Delay(_options.Topics.CreationRetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task VerifyAsync(List<ResolvedTopic> specs, TopicProvisioningReport report, bool reconcile, bool planOnly, CancellationToken cancellationToken)
    {
        if (specs.Count == 0)
        {
            report.LastVerification = _time.GetUtcNow();
            return;
        }

        var timeout = _options.Topics.CreationTimeout;
        var reader = new TopicStateReader(_connection, report.Operation, timeout, _time);
        var created = planOnly ? [] : specs.Select(s => s.Name).Where(report.CreatedList.Contains).ToHashSet(StringComparer.Ordinal);
        var byName = await reader.ReadMetadataAsync(created, report, cancellationToken).ConfigureAwait(false);
        var configs = report.AdminApiAvailable ? await reader.DescribeAsync(specs.ConvertAll(s => s.Name), created, report, cancellationToken).ConfigureAwait(false) : null;
        var increase = new List<PartitionsSpecification>();
        var alter = new Dictionary<ConfigResource, List<ConfigEntry>>();

        foreach (var spec in specs)
        {
            if (!byName.TryGetValue(spec.Name, out var topic) || topic.Error.Code != ErrorCode.NoError)
            {
                continue;
            }

            var variable = EventBusEnvironmentVariables.ForTopic(spec.Key);
            var partitions = topic.Partitions.Count;
            if (partitions < spec.Partitions)
            {
                var action = planOnly ? "would increase partitions if reconciling; keys would move to other partitions"
                    : reconcile ? $"increased to {spec.Partitions}; keys moved to other partitions" : "run with reconcile to increase; keys will move to other partitions";
                report.DriftList.Add(new TopicDrift(spec.Name, "partitions", Str(spec.Partitions), Str(partitions), action));
                if (reconcile && !planOnly)
                {
                    increase.Add(new PartitionsSpecification { Topic = spec.Name, IncreaseTo = spec.Partitions });
                }
            }
            else if (partitions > spec.Partitions)
            {
                report.DriftList.Add(new TopicDrift(spec.Name, "partitions", Str(spec.Partitions), Str(partitions),
                    $"partitions are never decreased; raise {variable}{EventBusEnvironmentVariables.TopicPartitionsSuffix} to {partitions} to match"));
            }

            var replication = topic.Partitions.Count > 0 ? topic.Partitions.Min(p => p.Replicas.Length) : 0;
            if (replication != spec.ReplicationFactor)
            {
                report.DriftList.Add(new TopicDrift(spec.Name, "replication.factor", Str(spec.ReplicationFactor), Str(replication),
                    "reported only: changing replication needs a partition reassignment"));
            }

            if (configs is not null && configs.TryGetValue(spec.Name, out var actual))
            {
                foreach (var (name, expected) in ManagedValues(spec))
                {
                    if (actual.TryGetValue(name, out var value) && !string.Equals(value, expected, StringComparison.OrdinalIgnoreCase))
                    {
                        var action = planOnly ? "would be aligned if reconciling" : reconcile ? "aligned" : "run with reconcile to align";
                        report.DriftList.Add(new TopicDrift(spec.Name, name, expected, value, action));
                        if (reconcile && !planOnly)
                        {
                            var resource = new ConfigResource { Type = ResourceType.Topic, Name = spec.Name };
                            if (!alter.TryGetValue(resource, out var entries))
                            {
                                alter[resource] = entries = [];
                            }

                            entries.Add(new ConfigEntry { Name = name, Value = expected, IncrementalOperation = AlterConfigOpType.Set });
                        }
                    }
                }
            }
        }

        if (increase.Count > 0)
        {
            try
            {
                await _admin.CreatePartitionsAsync(increase, new CreatePartitionsOptions { OperationTimeout = timeout, RequestTimeout = timeout }).ConfigureAwait(false);
                increase.ForEach(i => Log.PartitionsIncreased(_logger, i.Topic, i.IncreaseTo));
            }
            catch (KafkaException ex)
            {
                increase.ForEach(i => Fail(report, i.Topic, $"increasing partitions to {i.IncreaseTo} failed: {ex.Error.Reason}", ex.Error.Code, _connection.Diagnose(ex.Error)));
            }
        }

        if (alter.Count > 0)
        {
            try
            {
                await _admin.IncrementalAlterConfigsAsync(alter, new IncrementalAlterConfigsOptions { RequestTimeout = timeout }).ConfigureAwait(false);
            }
            catch (KafkaException ex)
            {
                foreach (var resource in alter.Keys)
                {
                    Fail(report, resource.Name, $"aligning configs failed: {ex.Error.Reason}", ex.Error.Code, _connection.Diagnose(ex.Error));
                }
            }
        }

        report.LastVerification = _time.GetUtcNow();
    }

    private static IEnumerable<(string Name, string Value)> ManagedValues(ResolvedTopic spec)
    {
        yield return ("retention.ms", Str(spec.RetentionMs));
        yield return ("min.insync.replicas", Str(spec.MinInsyncReplicas));
        yield return ("compression.type", spec.CompressionType.ToString().ToLowerInvariant());
    }

    private static TopicPlan ToPlan(ResolvedTopic spec) =>
        new(spec.Name, spec.Partitions, spec.ReplicationFactor, spec.Tier.ToString().ToLowerInvariant(), ManagedValues(spec).ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal));

    private static TopicSpecification ToSpecification(ResolvedTopic spec) => new()
    {
        Name = spec.Name,
        NumPartitions = spec.Partitions,
        ReplicationFactor = (short)spec.ReplicationFactor,
        Configs = ManagedValues(spec).ToDictionary(v => v.Name, v => v.Value),
    };

    private string Explain(ErrorCode code, string reason, ResolvedTopic spec, int attempt)
    {
        var variable = EventBusEnvironmentVariables.ForTopic(spec.Key);
        var principal = Principal();
        return code switch
        {
            ErrorCode.InvalidReplicationFactor => $"the broker refused replication factor {spec.ReplicationFactor} ({reason}); change {variable}{EventBusEnvironmentVariables.TopicReplicationSuffix}",
            ErrorCode.InvalidPartitions => $"the broker refused {spec.Partitions} partitions ({reason}); change {variable}{EventBusEnvironmentVariables.TopicPartitionsSuffix}",
            ErrorCode.InvalidConfig => $"the broker refused the topic configs ({reason}); check {variable}{EventBusEnvironmentVariables.TopicRetentionMsSuffix} and {variable}{EventBusEnvironmentVariables.TopicMinInsyncReplicasSuffix}",
            ErrorCode.TopicAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed =>
                $"not authorized to create topic '{spec.Name}' ({reason}): {principal ?? "this service's principal"} lacks the CREATE permission on the cluster and on the topic; " +
                $"grant it (kafka-acls --add --allow-principal {principal ?? "User:<principal>"} --operation Create --topic {spec.Name}), " +
                $"or set {EventBusEnvironmentVariables.TopicAutoCreate}=false and create the topic elsewhere",
            ErrorCode.PolicyViolation => $"the cluster's create-topic policy refused it ({reason})",
            _ when IsRetriable(code) => $"{reason}; still failing after {attempt + 1} attempt(s) (raise {EventBusEnvironmentVariables.TopicCreationRetries} or {EventBusEnvironmentVariables.TopicCreationTimeout})",
            _ => reason,
        };
    }

    /// <summary>The principal the broker sees, when the configuration names it (a SASL user); otherwise <see langword="null"/>.</summary>
    private string? Principal() =>
        _options.Connection.SaslMechanism is KafkaSaslMechanism.Plain or KafkaSaslMechanism.ScramSha256 or KafkaSaslMechanism.ScramSha512
        && !string.IsNullOrWhiteSpace(_options.Connection.SaslUsername)
            ? "User:" + _options.Connection.SaslUsername
            : null;

    private void Fail(TopicProvisioningReport report, string topic, string reason, ErrorCode code = ErrorCode.Local_InvalidArg, KafkaDiagnosis? diagnosis = null)
    {
        report.ErrorList.Add(new TopicProvisioningError(topic, code, reason, diagnosis));
        Log.Failed(_logger, topic, code.ToString(), reason);
    }

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);
}
