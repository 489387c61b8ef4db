using EventBus.Kafka.Configuration;
using EventBus.Kafka.Topics;

namespace EventBus.Kafka.Tools;

/// <summary>
/// <c>eventbus-topics plan|apply|verify [--reconcile] [--fail-on-drift]</c>: the topic provisioner for operators and
/// pipelines, configured by the same <c>KAFKA_*</c> variables as the service.
/// </summary>
public static class TopicsCommand
{
    /// <summary>Exit code: success.</summary>
    public const int Success = 0;

    /// <summary>Exit code: provisioning errors.</summary>
    public const int Failed = 1;

    /// <summary>Exit code: drift found and <c>--fail-on-drift</c> given, or missing topics on verify with it.</summary>
    public const int Drift = 2;

    /// <summary>Exit code: bad command line.</summary>
    public const int Usage = 64;

    /// <summary>Exit code: invalid configuration (the message names the variables).</summary>
    public const int ConfigurationError = 78;

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
        var verb = args.Count > 0 ? args[0] : string.Empty;
        var flags = args.Skip(1).ToHashSet(StringComparer.Ordinal);
        var unknown = flags.Except(["--reconcile", "--fail-on-drift"]).ToList();
        if (verb is not ("plan" or "apply" or "verify") || unknown.Count > 0 || (flags.Contains("--reconcile") && verb != "apply"))
        {
            await error.WriteLineAsync("usage: eventbus-topics plan|apply|verify [--fail-on-drift]   (apply also takes --reconcile)").ConfigureAwait(false);
            await error.WriteLineAsync("  reads KAFKA_BOOTSTRAP_SERVERS, SERVICE_NAME, KAFKA_TOPIC_{KEY}[_PARTITIONS|_REPLICATION|_TIER|_RETENTION_MS|_MIN_INSYNC_REPLICAS], KAFKA_TOPIC_CREATION_* and the security variables").ConfigureAwait(false);
            return Usage;
        }

        EventBusOptions options;
        try
        {
            options = EventBusOptions.FromVariables(variables);
        }
        catch (EventBusConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ConfigurationError;
        }

        using var provisioner = new TopicProvisioner(options);
        var report = verb switch
        {
            "plan" => await provisioner.PlanAsync(cancellationToken).ConfigureAwait(false),
            "apply" => await provisioner.ApplyAsync(flags.Contains("--reconcile"), cancellationToken).ConfigureAwait(false),
            _ => await provisioner.VerifyAsync(cancellationToken).ConfigureAwait(false),
        };
        await output.WriteAsync(report.ToString()).ConfigureAwait(false);
        if (!report.Succeeded)
        {
            return Failed;
        }

        var drifted = report.Drift.Count > 0 || (verb == "verify" && report.Missing.Count > 0);
        return drifted && flags.Contains("--fail-on-drift") ? Drift : Success;
    }
}
