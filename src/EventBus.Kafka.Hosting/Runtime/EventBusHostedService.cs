using EventBus.Kafka.Configuration;
using EventBus.Kafka.Hosting.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventBus.Kafka.Hosting.Runtime;

/// <summary>
/// The application-wide part of EventBus in the host. Starting (before any hosted service's StartAsync): logs the
/// configuration keys it ignored and provisions the topics. Stopped (after every hosted service stopped, consumers
/// included): flushes and closes the producer, so a record a consumer dead-lettered while draining is still sent.
/// </summary>
/// <remarks>
/// The host validates the options (ValidateOnStart) before StartingAsync, so a bad configuration stops it before
/// anything here connects.
/// </remarks>
internal sealed class EventBusHostedService : IHostedLifecycleService
{
    private readonly IOptions<EventBusOptions> _options;
    private readonly ConfigurationBindings _bindings;
    private readonly TopicProvisioningGate _provisioning;
    private readonly ProducerOwner _producer;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="EventBusHostedService"/> class.</summary>
    /// <param name="options">The options.</param>
    /// <param name="bindings">What binding the configuration found.</param>
    /// <param name="provisioning">The provisioning run.</param>
    /// <param name="producer">The producer, if created.</param>
    /// <param name="loggerFactory">The logger factory, if any.</param>
    public EventBusHostedService(IOptions<EventBusOptions> options, ConfigurationBindings bindings, TopicProvisioningGate provisioning, ProducerOwner producer, ILoggerFactory? loggerFactory)
    {
        _options = options;
        _bindings = bindings;
        _provisioning = provisioning;
        _producer = producer;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("EventBus.Kafka.Hosting");
    }

    /// <inheritdoc />
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        foreach (var key in _bindings.Get(_options.Value).UnknownKeys)
        {
            Log.UnknownConfigurationKey(_logger, key);
        }

        await _provisioning.EnsureProvisionedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (!_producer.IsCreated)
        {
            return;
        }

        var producer = _producer.Producer;
        Log.ProducerClosing(_logger, producer.GetStatistics().InFlight);
        try
        {
            await producer.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.ProducerCloseTimedOut(_logger);
        }
    }
}
