using System.Globalization;
using Confluent.Kafka;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.LocalBroker;

/// <summary>
/// <c>eventbus-kafka-local</c>: starts a <see cref="MockKafkaCluster"/>, creates the topics asked for, prints the
/// bootstrap servers and the variables to export, and runs until its stop token is cancelled (Ctrl-C,
/// SIGTERM), then stops the brokers, closing their ports.
/// </summary>
/// <remarks>
/// Standard output is a shell script: the variables as <c>export</c> lines, everything else as <c># </c> comments.
/// </remarks>
internal static class LocalBrokerCommand
{
    /// <summary>Exit code: stopped cleanly, or <c>--help</c>.</summary>
    public const int Success = 0;

    /// <summary>Exit code: the cluster or a topic could not be created.</summary>
    public const int Failed = 1;

    /// <summary>Exit code: bad command line.</summary>
    public const int Usage = 64;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the variables and the status go.</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="stop">Cancelled to stop the cluster.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken stop)
    {
        if (!LocalBrokerOptions.TryParse(args, out var options, out var problem))
        {
            await error.WriteLineAsync($"eventbus-kafka-local: {problem}").ConfigureAwait(false);
            await error.WriteLineAsync(LocalBrokerOptions.Usage).ConfigureAwait(false);
            return Usage;
        }

        if (options.Help)
        {
            await output.WriteLineAsync(LocalBrokerOptions.Usage).ConfigureAwait(false);
            return Success;
        }

        MockKafkaCluster cluster;
        try
        {
            cluster = new MockKafkaCluster(options.Brokers);
        }
        catch (Exception ex) when (ex is InvalidOperationException or DllNotFoundException or KafkaException)
        {
            await error.WriteLineAsync($"eventbus-kafka-local: could not start the mock cluster: {ex.Message}").ConfigureAwait(false);
            return Failed;
        }

        await using (cluster.ConfigureAwait(false))
        {
            try
            {
                foreach (var topic in options.Topics)
                {
                    cluster.CreateTopic(topic.Name, topic.Partitions, topic.ReplicationFactor);
                }
            }
            catch (KafkaException ex)
            {
                await error.WriteLineAsync($"eventbus-kafka-local: {ex.Message}").ConfigureAwait(false);
                return Failed;
            }

            var variables = Variables(cluster);
            if (options.EnvFile is not null)
            {
                await WriteEnvFileAsync(options.EnvFile, variables).ConfigureAwait(false);
            }

            try
            {
                await output.WriteLineAsync(Describe(cluster, options, variables)).ConfigureAwait(false);
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C or SIGTERM: the way this command is meant to end.
                }
            }
            finally
            {
                if (options.EnvFile is not null)
                {
                    File.Delete(options.EnvFile);
                }
            }
        }

        await output.WriteLineAsync($"# eventbus-kafka-local: stopped; {options.Brokers} broker(s) closed").ConfigureAwait(false);
        return Success;
    }

    private static List<KeyValuePair<string, string>> Variables(MockKafkaCluster cluster) =>
    [
        new("KAFKA_BOOTSTRAP_SERVERS", cluster.BootstrapServers),
        new("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"),
    ];

    private static string Describe(MockKafkaCluster cluster, LocalBrokerOptions options, List<KeyValuePair<string, string>> variables)
    {
        var text = new System.Text.StringBuilder();
        var native = Path.GetFileName(MockKafkaCluster.NativeLibraryPath);
        text.AppendLine(CultureInfo.InvariantCulture, $"# eventbus-kafka-local: {cluster.BrokerCount} broker(s) on {cluster.BootstrapServers} (librdkafka {Library.VersionString} mock cluster, {native}; PLAINTEXT, no admin API)");
        foreach (var topic in options.Topics)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"# topic {topic.Name}: {topic.Partitions} partition(s), replication {topic.ReplicationFactor}");
        }

        foreach (var (name, value) in variables)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"export {name}={value}");
        }

        if (options.EnvFile is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"# the variables are also in {options.EnvFile} until this stops");
        }

        text.Append("# running until Ctrl-C or SIGTERM; topics a client asks for that do not exist are created with 4 partitions");
        return text.ToString();
    }

    private static async Task WriteEnvFileAsync(string path, List<KeyValuePair<string, string>> variables)
    {
        // Written beside the target and moved into place, so that a script waiting for the file never reads half of it.
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        await File.WriteAllLinesAsync(temporary, variables.Select(v => $"{v.Key}={v.Value}")).ConfigureAwait(false);
        File.Move(temporary, full, overwrite: true);
    }
}
