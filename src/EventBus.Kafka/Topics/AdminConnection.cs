using Confluent.Kafka;
using Confluent.Kafka.Admin;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Topics;

/// <summary>
/// The provisioner's admin client and what it says about the cluster: its errors and librdkafka's log lines go through
/// the <see cref="KafkaClientMonitor"/> (diagnosed, logged once through ILogger, never to stderr), metadata is read in
/// short slices so that a TLS or authentication failure is reported as soon as it is known rather than after
/// <c>KAFKA_TOPIC_CREATION_TIMEOUT</c>, and a cluster that names no controller (no admin API) is found at once.
/// </summary>
internal sealed class AdminConnection : IDisposable
{
    /// <summary>How long the cluster may take to name its controller (a real cluster names it in its first metadata answer).</summary>
    public static readonly TimeSpan ControllerWait = TimeSpan.FromSeconds(1.5);

    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbeWait = TimeSpan.FromSeconds(4);
    private readonly EventBusOptions _options;
    private readonly bool _owned;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="AdminConnection"/> class.</summary>
    /// <param name="options">The options.</param>
    /// <param name="admin">An admin client to use (not disposed, no callbacks of ours), or <see langword="null"/> to build one.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="time">The clock.</param>
    public AdminConnection(EventBusOptions options, IAdminClient? admin, ILogger logger, TimeProvider time)
    {
        _options = options;
        _time = time;
        _owned = admin is null;
        var config = admin is null ? KafkaClientConfigFactory.CreateAdminClientConfig(options) : ContextOnly(options);
        Monitor = new KafkaClientMonitor(DiagnosisContext.From("admin client", config), config.ClientId, logger,
            static (l, level, name, facility, text) => Log.Librdkafka(l, level, name, facility, text), time);
        Admin = admin ?? new AdminClientBuilder(config)
            .SetErrorHandler((_, error) => Monitor.OnError(error))
            .SetLogHandler((_, message) => Monitor.OnLog(message))
            .UseOAuthBearerTokenProvider(options, logger)
            .Build();
    }

    /// <summary>Gets the admin client.</summary>
    public IAdminClient Admin { get; }

    /// <summary>Gets the diagnosis of the admin client's failures.</summary>
    public KafkaClientMonitor Monitor { get; }

    /// <summary>
    /// Reads the cluster's metadata within <c>KAFKA_TOPIC_CREATION_TIMEOUT</c>; a TLS or authentication failure ends
    /// the wait at once.
    /// </summary>
    /// <param name="operation">plan, apply or verify (for the report of a failure).</param>
    /// <param name="required">The topics required (for the report of a failure).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The metadata.</returns>
    /// <exception cref="TopicProvisioningException">The cluster could not be reached: the exception has the diagnosis.</exception>
    public async Task<Metadata> GetMetadataAsync(string operation, IEnumerable<string> required, CancellationToken cancellationToken)
    {
        var timeout = _options.Topics.CreationTimeout;
        var started = _time.GetTimestamp();
        KafkaException? last = null;
        while (true)
        {
            var remaining = timeout - _time.GetElapsedTime(started);
            var slice = remaining < Slice ? remaining : Slice;
            var sliceStarted = _time.GetTimestamp();
            try
            {
                var metadata = await Task.Run(() => Admin.GetMetadata(slice > TimeSpan.Zero ? slice : TimeSpan.FromMilliseconds(1)), cancellationToken).ConfigureAwait(false);
                Monitor.OnSuccess("metadata read");
                return metadata;
            }
            catch (KafkaException ex)
            {
                last = ex;
            }

            if (Monitor.IsProbing)
            {
                await WaitForProbeAsync(cancellationToken).ConfigureAwait(false);
            }

            var diagnosis = Monitor.Current ?? Monitor.DiagnoseOperation(last.Error, null);
            if (diagnosis is { IsConfigurationError: true } || _time.GetElapsedTime(started) >= timeout)
            {
                throw Unreachable(operation, required, last, diagnosis, _time.GetElapsedTime(started));
            }

            // GetMetadata may fail at once (no broker at all): do not spin.
            var spent = _time.GetElapsedTime(sliceStarted);
            if (spent < TimeSpan.FromMilliseconds(200))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200) - spent, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Whether the cluster names no controller within <see cref="ControllerWait"/>: librdkafka sends CreateTopics and
    /// DescribeConfigs to the controller, so such a cluster (the mock cluster, some Kafka-compatible services) has no
    /// admin API that EventBus can use; every call would wait out the creation timeout.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Why the controller is missing, or <see langword="null"/> when the cluster names one (or the admin client is not ours to ask).</returns>
    public async Task<string?> FindMissingControllerAsync(CancellationToken cancellationToken)
    {
        if (!_owned)
        {
            return null;
        }

        var wait = _options.Topics.CreationTimeout < ControllerWait ? _options.Topics.CreationTimeout : ControllerWait;
        try
        {
            var cluster = await Admin.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = wait }).WaitAsync(cancellationToken).ConfigureAwait(false);
            return cluster.Controller is null ? "the cluster's metadata names no controller" : null;
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_TimedOut && ex.Error.Reason.Contains("controller", StringComparison.OrdinalIgnoreCase))
        {
            return $"no controller named within {wait.TotalSeconds:0.#} s ({ex.Error.Reason})";
        }
        catch (KafkaException)
        {
            return null; // another failure: the operations themselves report it
        }
    }

    /// <summary>The diagnosis of a failed admin call: its own error's, or the failure the callbacks saw meanwhile.</summary>
    /// <param name="error">The call's error.</param>
    /// <returns>The diagnosis, or <see langword="null"/>.</returns>
    public KafkaDiagnosis? Diagnose(Error error) => Monitor.DiagnoseOperation(error, null) ?? Monitor.Current;

    /// <inheritdoc />
    public void Dispose()
    {
        Monitor.Dispose();
        if (_owned)
        {
            Admin.Dispose();
        }
    }

    /// <summary>
    /// The configuration for the diagnosis of an admin client given by the caller: its own settings are not ours, and
    /// options with specifications set in code are validated by the run itself, not here.
    /// </summary>
    private static AdminClientConfig ContextOnly(EventBusOptions options)
    {
        try
        {
            return KafkaClientConfigFactory.CreateAdminClientConfig(options);
        }
        catch (EventBusConfigurationException)
        {
            return new AdminClientConfig { BootstrapServers = options.Connection.BootstrapServers, ClientId = "admin" };
        }
    }

    private async Task WaitForProbeAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (Monitor.IsProbing && _time.GetElapsedTime(started) < ProbeWait)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private TopicProvisioningException Unreachable(string operation, IEnumerable<string> required, KafkaException last, KafkaDiagnosis? diagnosis, TimeSpan elapsed)
    {
        var report = new TopicProvisioningReport(operation, adminApiAvailable: false, brokerCount: 0);
        report.RequiredList.AddRange(required);
        var reason = diagnosis is null
            ? $"the cluster's metadata could not be read within {elapsed.TotalSeconds:0.#} s ({last.Error.Reason}); check {EventBusEnvironmentVariables.BootstrapServers} and {EventBusEnvironmentVariables.SecurityProtocol}"
            : diagnosis.IsConfigurationError
                ? $"the cluster's metadata could not be read: {Lower(diagnosis.Text)}"
                : $"the cluster's metadata could not be read within {elapsed.TotalSeconds:0.#} s ({EventBusEnvironmentVariables.TopicCreationTimeout}): {Lower(diagnosis.Text)}";
        report.ErrorList.Add(new TopicProvisioningError(TopicProvisioningError.Cluster, diagnosis?.Code ?? last.Error.Code, reason, diagnosis));
        return new TopicProvisioningException(report, last);
    }

    private static string Lower(string text) => text.Length > 1 && char.IsUpper(text[0]) && !text.StartsWith("Kafka ", StringComparison.Ordinal) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;
}
