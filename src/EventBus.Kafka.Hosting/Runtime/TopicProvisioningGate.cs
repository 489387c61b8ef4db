using System.Diagnostics;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Topics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventBus.Kafka.Hosting.Runtime;

/// <summary>
/// Provisions the topics once per application (when <c>KAFKA_TOPIC_AUTO_CREATE</c> is true) and lets everyone who
/// must come after wait for it: the host's start (<see cref="EventBusHostedService"/>) and every consumer, so no
/// consumer polls before provisioning completed, however the host orders or parallelises its hosted services.
/// </summary>
internal sealed class TopicProvisioningGate
{
    private readonly IOptions<EventBusOptions> _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private Task<TopicProvisioningReport?>? _run;

    /// <summary>Initializes a new instance of the <see cref="TopicProvisioningGate"/> class.</summary>
    /// <param name="options">The options.</param>
    /// <param name="loggerFactory">The logger factory, if any.</param>
    public TopicProvisioningGate(IOptions<EventBusOptions> options, ILoggerFactory? loggerFactory)
    {
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("EventBus.Kafka.Hosting.Provisioning");
    }

    /// <summary>Gets the report of the provisioning run, once it completed (<see langword="null"/> when skipped or not run yet).</summary>
    public TopicProvisioningReport? LastReport { get; private set; }

    /// <summary>Gets a value indicating whether the provisioning run completed (or was skipped).</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _run is { IsCompletedSuccessfully: true };
            }
        }
    }

    /// <summary>Provisions the topics on the first call; every call waits for that one run.</summary>
    /// <param name="cancellationToken">Stops waiting; the first caller's token also cancels the run.</param>
    /// <returns>The report, or <see langword="null"/> when provisioning is switched off.</returns>
    /// <exception cref="TopicProvisioningException">A fatal provisioning error; the message has the whole report.</exception>
    public Task<TopicProvisioningReport?> EnsureProvisionedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _run ??= Task.Run(() => RunAsync(cancellationToken), cancellationToken);
        }

        return _run.WaitAsync(cancellationToken);
    }

    private async Task<TopicProvisioningReport?> RunAsync(CancellationToken cancellationToken)
    {
        var options = _options.Value;
        if (!options.Topics.AutoCreate)
        {
            Log.ProvisioningSkipped(_logger);
            return null;
        }

        var clock = Stopwatch.StartNew();
        Log.ProvisioningStarting(_logger, options.Topics.GetResolvedTopics().Count);
        try
        {
            using var provisioner = new TopicProvisioner(options, logger: _loggerFactory.CreateLogger<TopicProvisioner>());
            var report = await provisioner.ProvisionAsync(cancellationToken).ConfigureAwait(false);
            LastReport = report;
            Log.ProvisioningCompleted(_logger, clock.Elapsed.TotalMilliseconds, report.ToString().TrimEnd());
            return report;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ProvisioningFailed(_logger, ex, clock.Elapsed.TotalMilliseconds);
            throw;
        }
    }
}
