using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Topics;

namespace EventBus.Kafka.Tools;

/// <summary>
/// <c>eventbus-topics plan|apply|verify [--reconcile] [--fail-on-drift]</c>: the topic provisioner for operators and
/// pipelines, configured by the same <c>KAFKA_*</c> variables as the service. It never crashes: every failure is an
/// exit code and a message that says what to check.
/// </summary>
public static class TopicsCommand
{
    /// <summary>Exit code: success (and <c>--help</c>).</summary>
    public const int Success = 0;

    /// <summary>Exit code: provisioning errors, the cluster unreachable, TLS or authentication failing (the errors go to stderr too).</summary>
    public const int Failed = 1;

    /// <summary>Exit code: drift found and <c>--fail-on-drift</c> given, or missing topics on verify with it.</summary>
    public const int Drift = 2;

    /// <summary>Exit code: bad command line.</summary>
    public const int Usage = 64;

    /// <summary>Exit code: invalid configuration (the message names the variables).</summary>
    public const int ConfigurationError = 78;

    /// <summary>Exit code: cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;

    private static readonly string[] UsageText =
    [
        "usage: eventbus-topics plan|apply|verify [--fail-on-drift]   (apply also takes --reconcile)",
        "  plan    what apply would create (partitions, replication factor, configs) and what drifted; changes nothing",
        "  apply   create the missing topics, then verify; --reconcile also increases partitions and aligns configs",
        "  verify  check every topic exists as specified; changes nothing",
        "  reads KAFKA_BOOTSTRAP_SERVERS, SERVICE_NAME, KAFKA_TOPIC_{KEY}[_PARTITIONS|_REPLICATION|_TIER|_RETENTION_MS|_MIN_INSYNC_REPLICAS], KAFKA_TOPIC_CREATION_* and the security variables",
        "  exit codes: 0 ok, 1 provisioning errors or the cluster not reachable (TLS, authentication...), 2 drift with --fail-on-drift, 64 bad command line, 78 invalid configuration, 130 cancelled",
    ];

    /// <summary>Runs the command.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="variables">The environment variables.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, IEnumerable<KeyValuePair<string, string?>> variables, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Count > 0 && args[0] is "--help" or "-h" or "help" or "-?")
        {
            await WriteLinesAsync(output, UsageText).ConfigureAwait(false);
            return Success;
        }

        var verb = args.Count > 0 ? args[0] : string.Empty;
        var flags = args.Skip(1).ToHashSet(StringComparer.Ordinal);
        var unknown = flags.Except(["--reconcile", "--fail-on-drift"]).ToList();
        if (verb is not ("plan" or "apply" or "verify") || unknown.Count > 0 || (flags.Contains("--reconcile") && verb != "apply"))
        {
            await WriteLinesAsync(error, UsageText).ConfigureAwait(false);
            return Usage;
        }

        try
        {
            return await RunVerbAsync(verb, flags, variables, output, error, cancellationToken).ConfigureAwait(false);
        }
        catch (EventBusConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ConfigurationError;
        }
        catch (TopicProvisioningException ex)
        {
            // The cluster could not be reached at all: the report holds the diagnosis.
            return await FailedAsync(ex.Report?.ToString() ?? ex.Message, ex.Report?.Errors.Select(e => e.ToString()) ?? [ex.Message], output, error).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("eventbus-topics: cancelled").ConfigureAwait(false);
            return Cancelled;
        }
        catch (ClientConfigurationException ex)
        {
            // librdkafka refused the configuration when building the client (an unreadable key file, say).
            await error.WriteLineAsync($"eventbus-topics: the Kafka client could not be created from the configuration: {ex.Message}; check the KAFKA_SSL_* and KAFKA_SASL_* variables").ConfigureAwait(false);
            return ConfigurationError;
        }
#pragma warning disable CA1031 // A command-line tool reports every failure as an exit code and a message; it never crashes.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"eventbus-topics: {verb} failed: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return Failed;
        }
    }

    private static async Task<int> RunVerbAsync(string verb, HashSet<string> flags, IEnumerable<KeyValuePair<string, string?>> variables, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var options = EventBusOptions.FromVariables(variables);
        using var provisioner = CreateProvisioner(options);
        var report = verb switch
        {
            "plan" => await provisioner.PlanAsync(cancellationToken).ConfigureAwait(false),
            "apply" => await provisioner.ApplyAsync(flags.Contains("--reconcile"), cancellationToken).ConfigureAwait(false),
            _ => await provisioner.VerifyAsync(cancellationToken).ConfigureAwait(false),
        };
        if (!report.Succeeded)
        {
            return await FailedAsync(report.ToString(), report.Errors.Select(e => e.ToString()), output, error).ConfigureAwait(false);
        }

        await output.WriteAsync(report.ToString()).ConfigureAwait(false);
        var drifted = report.Drift.Count > 0 || (verb == "verify" && report.Missing.Count > 0);
        return drifted && flags.Contains("--fail-on-drift") ? Drift : Success;
    }

    private static TopicProvisioner CreateProvisioner(EventBusOptions options)
    {
        try
        {
            return new TopicProvisioner(options);
        }
        catch (KafkaException ex)
        {
            throw new ClientConfigurationException(ex.Message, ex);
        }
        catch (ArgumentException ex)
        {
            throw new ClientConfigurationException(ex.Message, ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new ClientConfigurationException(ex.Message, ex);
        }
    }

    private static async Task<int> FailedAsync(string report, IEnumerable<string> errors, TextWriter output, TextWriter error)
    {
        await output.WriteAsync(report).ConfigureAwait(false);
        await error.WriteLineAsync("eventbus-topics failed:").ConfigureAwait(false);
        foreach (var line in errors)
        {
            await error.WriteLineAsync("  error " + line).ConfigureAwait(false);
        }

        return Failed;
    }

    private static async Task WriteLinesAsync(TextWriter writer, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            await writer.WriteLineAsync(line).ConfigureAwait(false);
        }
    }

    /// <summary>librdkafka refused the configuration when the admin client was built.</summary>
    private sealed class ClientConfigurationException(string message, Exception inner) : InvalidOperationException(message, inner);
}
