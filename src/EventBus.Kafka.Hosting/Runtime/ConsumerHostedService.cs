using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Hosting.Consumers;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventBus.Kafka.Hosting.Runtime;

/// <summary>
/// Runs one registered consumer in the host. Start: waits for topic provisioning, builds the consumer on the core
/// <see cref="EventConsumerBuilder"/> (dead-lettering through the service's producer), starts polling. Stop: the
/// consumer drains its in-flight records, commits and leaves the group, within the host's shutdown timeout. A fault
/// (a fatal Kafka error, a failure outside the error policy) is logged with its reason and stops the application with
/// exit code <see cref="FaultExitCode"/>.
/// </summary>
/// <remarks>
/// Disposed with the container: a consumer the host never stopped (another hosted service failed to start after this
/// one started) is stopped and released then.
/// </remarks>
internal sealed class ConsumerHostedService : IHostedService, IAsyncDisposable
{
    /// <summary>The process exit code after a consumer faulted (unless the application set another non-zero one).</summary>
    internal const int FaultExitCode = 1;

    private readonly ConsumerRegistration _registration;
    private readonly IServiceProvider _services;
    private readonly IOptions<EventBusOptions> _options;
    private readonly TopicProvisioningGate _provisioning;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private EventConsumer? _consumer;
    private Task? _run;

    /// <summary>Initializes a new instance of the <see cref="ConsumerHostedService"/> class.</summary>
    /// <param name="registration">The consumer's handlers and options.</param>
    /// <param name="services">The application's services.</param>
    /// <param name="options">The options.</param>
    /// <param name="provisioning">The provisioning run to wait for.</param>
    /// <param name="lifetime">Stops the application when the consumer faults.</param>
    /// <param name="loggerFactory">The logger factory, if any.</param>
    public ConsumerHostedService(
        ConsumerRegistration registration,
        IServiceProvider services,
        IOptions<EventBusOptions> options,
        TopicProvisioningGate provisioning,
        IHostApplicationLifetime lifetime,
        ILoggerFactory? loggerFactory)
    {
        _registration = registration;
        _services = services;
        _options = options;
        _provisioning = provisioning;
        _lifetime = lifetime;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("EventBus.Kafka.Hosting.Consumer");
    }

    /// <summary>Gets the consumer, once started (for tests and health).</summary>
    internal EventConsumer? Consumer => _consumer;

    /// <summary>Gets the registration (its handlers, for health's findings).</summary>
    internal ConsumerRegistration Registration => _registration;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _provisioning.EnsureProvisionedAsync(cancellationToken).ConfigureAwait(false);
        var consumer = Build();
        Log.ConsumerStarting(_logger, _registration.ToString(), string.Join(", ", _registration.Routes.Select(Describe)));
        _consumer = consumer;
        _run = RunAsync(consumer);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_run is null || _consumer is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.ConsumerStopTimedOut(_logger, _registration.ToString());
            return;
        }

        var statistics = _consumer.GetStatistics();
        await _consumer.DisposeAsync().ConfigureAwait(false);
        Log.ConsumerStopped(_logger, _registration.ToString(), statistics.RecordsProcessed, statistics.RecordsDeadLettered, statistics.Commits);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_consumer is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _consumer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private EventConsumer Build()
    {
        var builder = new EventConsumerBuilder(_options.Value)
            .WithLoggerFactory(_loggerFactory)
            .WithDeadLetterProducer(_services.GetRequiredService<EventProducer>());

        // The serializer first: the core builder gives it to the handlers as they are added.
        if (_services.GetService<IEventSerializer>() is { } serializer)
        {
            builder.WithSerializer(serializer);
        }

        foreach (var configure in _registration.Configure)
        {
            builder.Configure(configure);
        }

        foreach (var route in _registration.Routes)
        {
            route.Apply(builder, _services);
        }

        return builder.Build();
    }

    private async Task RunAsync(EventConsumer consumer)
    {
        try
        {
            await consumer.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (Environment.ExitCode == 0)
            {
                Environment.ExitCode = FaultExitCode;
            }

            if (_stopping.IsCancellationRequested)
            {
                Log.ConsumerFaultedWhileStopping(_logger, ex, _registration.ToString(), Environment.ExitCode);
                return;
            }

            Log.ConsumerFaulted(_logger, ex, _registration.ToString(), Environment.ExitCode);
            _lifetime.StopApplication();
        }
    }

    private static string Describe(HandlerRoute route) =>
        (route.TopicKey is null ? "topic " + route.TopicName : EventBusEnvironmentVariables.ForTopic(route.TopicKey)) + " → " + route.Handler;
}
