using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;

namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>
/// Decides the liveness and readiness of an EventBus service and makes its health report, from the clients' own
/// states (Healthy / Degraded / Failed / Closed, with the diagnosis) and, for readiness, one metadata request of its
/// own. The hosting package's health checks call it; a service without the host can too.
/// </summary>
/// <remarks>
/// <para><b>Liveness</b> (restart when it fails): nothing is Failed, and every running consumer's poll loop polled within
/// <see cref="EventBusHealthOptions.MaxPollStall"/>. An outage is not a liveness failure: a restart would not fix it.</para>
/// <para><b>Readiness</b> (send traffic only when it passes): the cluster answers a metadata request with the service's own
/// configuration (so never while TLS or authentication fails); the producer is Healthy, or Degraded by an outage the
/// cluster has recovered from (Degraded: it has not delivered since); no client has a configuration error (TLS,
/// authentication, authorization); every consumer runs and has its partitions, or has joined its group and got none
/// because the group has more members than partitions; every configured topic exists.</para>
/// <para>Thread-safe. Dispose it to release its admin client.</para>
/// </remarks>
public sealed class EventBusHealthChecker : IDisposable
{
    private readonly EventBusOptions _options;
    private readonly EventBusHealthOptions _health;
    private readonly TimeProvider _time;
    private readonly ClusterProbe _probe;

    /// <summary>Initializes a new instance of the <see cref="EventBusHealthChecker"/> class.</summary>
    /// <param name="options">The service's options (validated): the cluster to ask, the topics required.</param>
    /// <param name="healthOptions">The bounds; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system's.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A bound of <paramref name="healthOptions"/> is out of range.</exception>
    public EventBusHealthChecker(EventBusOptions options, EventBusHealthOptions? healthOptions = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _health = healthOptions ?? new EventBusHealthOptions();
        _health.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _probe = new ClusterProbe(options, _health, _time);
    }

    /// <summary>Gets how long a running consumer's poll loop may go without polling before it counts as stuck.</summary>
    public TimeSpan MaxPollStall =>
        _health.MaxPollStall ?? TimeSpan.FromMilliseconds(Math.Min(_options.Consumer.MaxPollIntervalMs, EventBusHealthOptions.DefaultMaxPollStall.TotalMilliseconds));

    /// <summary>Checks liveness: nothing Failed, every running consumer's poll loop makes progress. Reads states only; never blocks.</summary>
    /// <param name="sources">The clients.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sources"/> is <see langword="null"/>.</exception>
    public EventBusHealthCheckResult CheckLiveness(EventBusHealthSources sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var findings = new Findings();
        if (sources.Producer is { } producer)
        {
            var health = producer.Health;
            if (health.Status == KafkaHealthStatus.Failed)
            {
                findings.Add(EventBusHealthStatus.Unhealthy, $"producer {producer.ClientId}: failed, restart the service ({health.Diagnosis?.Message ?? "no diagnosis"})");
            }
            else
            {
                findings.Add(EventBusHealthStatus.Healthy, $"producer {producer.ClientId}: {Lower(health.Status)}");
            }
        }

        var now = _time.GetUtcNow();
        foreach (var consumer in sources.Consumers)
        {
            var statistics = consumer.GetStatistics();
            var name = Name(consumer);
            if (statistics.State == EventConsumerState.Faulted || statistics.Health.Status == KafkaHealthStatus.Failed)
            {
                findings.Add(EventBusHealthStatus.Unhealthy, $"{name}: faulted ({statistics.Health.Diagnosis?.Message ?? consumer.FatalError?.Message ?? "no diagnosis"})");
            }
            else if (IsStalled(statistics, now, out var since))
            {
                findings.Add(EventBusHealthStatus.Unhealthy,
                    $"{name}: the poll loop is stuck: no poll for {since.TotalSeconds:0.#} s (the bound is {MaxPollStall.TotalSeconds:0.#} s); a rebalance callback or the client itself does not return");
            }
            else
            {
                findings.Add(EventBusHealthStatus.Healthy, statistics.LastPoll is { } lastPoll && statistics.State == EventConsumerState.Running
                    ? $"{name}: polling (last poll {(now - lastPoll).TotalSeconds:0.#} s ago)"
                    : $"{name}: {Lower(statistics.State)}");
            }
        }

        return findings.Result("every poll loop makes progress and nothing failed");
    }

    /// <summary>
    /// Checks readiness: the cluster answers (with the service's configuration, authentication included), the producer
    /// can deliver, every consumer has its partitions (or legitimately none), every configured topic exists.
    /// </summary>
    /// <param name="sources">The clients and the last provisioning report.</param>
    /// <param name="cancellationToken">Stops waiting for the cluster's answer (bounded by <see cref="EventBusHealthOptions.ProbeTimeout"/> anyway).</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sources"/> is <see langword="null"/>.</exception>
    public async Task<EventBusHealthCheckResult> CheckReadinessAsync(EventBusHealthSources sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var probe = await _probe.ProbeAsync(cancellationToken).ConfigureAwait(false);
        return Readiness(sources, probe);
    }

    /// <summary>Makes the health report: liveness, readiness, every client, the counts, the redacted configuration and the topics.</summary>
    /// <param name="sources">The clients and the last provisioning report.</param>
    /// <param name="cancellationToken">Stops waiting for the cluster's answer.</param>
    /// <returns>The report (<see cref="EventBusHealthReport.ToJson"/> for the JSON).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sources"/> is <see langword="null"/>.</exception>
    public async Task<EventBusHealthReport> CreateReportAsync(EventBusHealthSources sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var probe = await _probe.ProbeAsync(cancellationToken).ConfigureAwait(false);
        var liveness = CheckLiveness(sources);
        var readiness = Readiness(sources, probe);
        var now = _time.GetUtcNow();

        ProducerHealthReport? producer = null;
        var sent = 0L;
        var failed = 0L;
        if (sources.Producer is { } p)
        {
            var statistics = p.GetStatistics();
            producer = new ProducerHealthReport(p.ClientId, statistics.State, ClientHealthReport.From(statistics.Health), statistics.MessagesSent, statistics.MessagesFailed, statistics.InFlight, statistics.Rebuilds);
            sent = statistics.MessagesSent;
            failed = statistics.MessagesFailed;
        }

        var consumers = new List<ConsumerHealthReport>(sources.Consumers.Count);
        foreach (var consumer in sources.Consumers)
        {
            var s = consumer.GetStatistics();
            consumers.Add(new ConsumerHealthReport(consumer.GroupId, [.. consumer.Topics], s.State, ClientHealthReport.From(s.Health), s.LastPoll, IsStalled(s, now, out _),
                s.AssignedPartitions, s.RecordsReceived, s.RecordsProcessed, s.RecordsFailed, s.RecordsDeadLettered, s.InFlight, s.Commits, s.CommitFailures, s.Rebalances));
        }

        var provisioning = sources.Topics;
        var statisticsReport = new EventBusHealthStatistics(
            sent,
            failed,
            consumers.Sum(c => c.RecordsReceived),
            consumers.Sum(c => c.RecordsProcessed),
            consumers.Sum(c => c.RecordsFailed),
            consumers.Sum(c => c.RecordsDeadLettered),
            provisioning is { Operation: not "plan" } ? provisioning.Created.Count : 0,
            provisioning?.Errors.Count ?? 0,
            consumers.Sum(c => c.Commits),
            consumers.Sum(c => c.CommitFailures),
            consumers.Sum(c => c.Rebalances));

        return new EventBusHealthReport(
            Worst(liveness.Status, readiness.Status),
            now,
            _options.Connection.BootstrapServers,
            consumers.Count > 0 && consumers.All(c => c.State == EventConsumerState.Running),
            liveness,
            readiness,
            producer,
            consumers,
            statisticsReport,
            HealthConfiguration.From(_options),
            Topics(probe, provisioning));
    }

    /// <inheritdoc />
    public void Dispose() => _probe.Dispose();

    private EventBusHealthCheckResult Readiness(EventBusHealthSources sources, ClusterProbeResult probe)
    {
        var findings = new Findings();
        findings.Add(probe.Reachable ? EventBusHealthStatus.Healthy : EventBusHealthStatus.Unhealthy, "cluster: " + probe.Description);

        if (sources.Producer is { } producer)
        {
            var health = producer.Health;
            var name = "producer " + producer.ClientId;
            findings.Add(health.Status switch
            {
                KafkaHealthStatus.Healthy when probe.Reachable => (EventBusHealthStatus.Healthy, $"{name}: healthy"),
                KafkaHealthStatus.Healthy => (EventBusHealthStatus.Unhealthy, $"{name}: healthy, but the cluster does not answer"),
                KafkaHealthStatus.Degraded when health.Diagnosis is { IsConfigurationError: true } d && IsCurrent(health, probe) => (EventBusHealthStatus.Unhealthy, $"{name}: {d.Message}"),
                KafkaHealthStatus.Degraded when probe.Reachable =>
                    (EventBusHealthStatus.Degraded, $"{name}: degraded since {health.Since:O} ({health.Diagnosis?.Message ?? "no diagnosis"}); the cluster answers again, so publishing can succeed"),
                KafkaHealthStatus.Degraded => (EventBusHealthStatus.Unhealthy, $"{name}: {health.Diagnosis?.Message ?? "degraded"}"),
                KafkaHealthStatus.Failed => (EventBusHealthStatus.Unhealthy, $"{name}: failed ({health.Diagnosis?.Message ?? "no diagnosis"})"),
                _ => (EventBusHealthStatus.Unhealthy, $"{name}: closed"),
            });
        }

        foreach (var consumer in sources.Consumers)
        {
            ConsumerReadiness(consumer, probe, findings);
        }

        if (_health.RequireTopics)
        {
            var topics = Topics(probe, sources.Topics);
            if (topics.Missing.Count > 0)
            {
                findings.Add(EventBusHealthStatus.Unhealthy, $"topics: {topics.Missing.Count} of {topics.Required.Count} missing ({string.Join(", ", topics.Missing)}); create them, or set {EventBusEnvironmentVariables.TopicAutoCreate}=true");
            }
            else if (topics.VerifiedBy is not null)
            {
                findings.Add(EventBusHealthStatus.Healthy, $"topics: all {topics.Required.Count} exist");
            }
        }

        return findings.Result("the cluster answers, the clients can work and every topic exists");
    }

    private void ConsumerReadiness(EventConsumer consumer, ClusterProbeResult probe, Findings findings)
    {
        var statistics = consumer.GetStatistics();
        var health = statistics.Health;
        var name = Name(consumer);
        if (statistics.State != EventConsumerState.Running)
        {
            findings.Add(EventBusHealthStatus.Unhealthy, statistics.State == EventConsumerState.Created ? $"{name}: not started yet" : $"{name}: {Lower(statistics.State)}");
            return;
        }

        if (IsStalled(statistics, _time.GetUtcNow(), out var since))
        {
            // Partitions it does not poll are partitions nobody consumes.
            findings.Add(EventBusHealthStatus.Unhealthy, $"{name}: the poll loop is stuck (no poll for {since.TotalSeconds:0.#} s)");
            return;
        }

        if (health.Status != KafkaHealthStatus.Healthy)
        {
            if (health.Diagnosis is { IsConfigurationError: true } configuration && IsCurrent(health, probe))
            {
                findings.Add(EventBusHealthStatus.Unhealthy, $"{name}: {configuration.Message}");
                return;
            }

            if (!probe.Reachable)
            {
                findings.Add(EventBusHealthStatus.Unhealthy, $"{name}: {health.Diagnosis?.Message ?? Lower(health.Status)}");
                return;
            }
        }

        EventBusHealthStatus status;
        string text;
        if (statistics.AssignedPartitions > 0)
        {
            (status, text) = (EventBusHealthStatus.Healthy, $"{name}: {statistics.AssignedPartitions} partition(s) assigned");
        }
        else if (statistics.Rebalances > 0)
        {
            // The group answered with an assignment that left this member nothing: more members than partitions.
            (status, text) = (EventBusHealthStatus.Healthy, $"{name}: in the group with no partition assigned (the group has more members than partitions)");
        }
        else
        {
            findings.Add(EventBusHealthStatus.Unhealthy, $"{name}: joining the group, no assignment yet");
            return;
        }

        if (health.Status != KafkaHealthStatus.Healthy)
        {
            (status, text) = (EventBusHealthStatus.Degraded, $"{text}; degraded since {health.Since:O} ({health.Diagnosis?.Message ?? "no diagnosis"}), the cluster answers again");
        }

        findings.Add(status, text);
    }

    private TopicHealthReport Topics(ClusterProbeResult probe, Topics.TopicProvisioningReport? provisioning)
    {
        var required = _options.Topics.GetResolvedTopics().Select(t => t.Name).Distinct(StringComparer.Ordinal).ToList();
        var created = provisioning is { Operation: not "plan" } ? provisioning.Created.ToList() : [];
        if (probe.Reachable)
        {
            return new TopicHealthReport(required, required.Where(probe.Topics.Contains).ToList(), required.Where(t => !probe.Topics.Contains(t)).ToList(), created, probe.At, "readiness");
        }

        if (provisioning is not null)
        {
            var missing = provisioning.Missing.ToList();
            return new TopicHealthReport(required, required.Where(t => !missing.Contains(t)).ToList(), missing, created,
                provisioning.LastVerification, "provisioning");
        }

        return new TopicHealthReport(required, [], [], created, null, null);
    }

    /// <summary>
    /// Whether a client's configuration error (TLS, authentication, authorization) still holds. A client records its
    /// recovery only with its next delivery or assignment, so an idle one keeps the error after it was fixed; it is
    /// over once the cluster answers readiness's own request, made with the same configuration, and the client has not
    /// seen the error again for <see cref="ClientHealthState.FailFastHold"/> (librdkafka retries a refused connection
    /// well within that while the error lasts).
    /// </summary>
    private static bool IsCurrent(KafkaClientHealth health, ClusterProbeResult probe) =>
        !probe.Reachable || health.LastErrorAt is not { } seen || seen > probe.At - ClientHealthState.FailFastHold;

    private bool IsStalled(EventConsumerStatistics statistics, DateTimeOffset now, out TimeSpan since)
    {
        since = statistics.LastPoll is { } lastPoll ? now - lastPoll : TimeSpan.Zero;
        return statistics.State == EventConsumerState.Running && since > MaxPollStall;
    }

    private static string Name(EventConsumer consumer) => $"consumer {consumer.GroupId} ({string.Join(", ", consumer.Topics)})";

    private static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static EventBusHealthStatus Worst(EventBusHealthStatus a, EventBusHealthStatus b) => a > b ? a : b;

    /// <summary>The findings of one check; the result is the worst of them.</summary>
    private sealed class Findings
    {
        private readonly List<(EventBusHealthStatus Status, string Text)> _items = [];

        public void Add(EventBusHealthStatus status, string text) => _items.Add((status, text));

        public void Add((EventBusHealthStatus Status, string Text) finding) => _items.Add(finding);

        public EventBusHealthCheckResult Result(string allGood)
        {
            var worst = _items.Count == 0 ? EventBusHealthStatus.Healthy : _items.Max(i => i.Status);
            var description = worst == EventBusHealthStatus.Healthy ? allGood : _items.First(i => i.Status == worst).Text;
            return new EventBusHealthCheckResult(worst, description, _items.Select(i => i.Text).ToList());
        }
    }
}
