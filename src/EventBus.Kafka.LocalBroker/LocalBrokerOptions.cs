using System.Globalization;
using System.Text.RegularExpressions;

namespace EventBus.Kafka.LocalBroker;

/// <summary>A topic to create at start: <c>--topic NAME[:PARTITIONS[:REPLICATION]]</c>.</summary>
internal sealed record LocalTopic(string Name, int Partitions, int ReplicationFactor);

/// <summary>The command line of <c>eventbus-kafka-local</c>, parsed.</summary>
internal sealed partial record LocalBrokerOptions(int Brokers, IReadOnlyList<LocalTopic> Topics, string? EnvFile, bool Help)
{
    /// <summary>The broker count without <c>--brokers</c>: three, as the replication factor of EventBus's standard tier.</summary>
    public const int DefaultBrokers = 3;

    /// <summary>The partition count of a <c>--topic</c> that names none: EventBus's standard tier.</summary>
    public const int DefaultPartitions = 3;

    public const string Usage = """
        usage: eventbus-kafka-local [--brokers N] [--topic NAME[:PARTITIONS[:REPLICATION]]]... [--env-file PATH]

        A Kafka for local development without Docker or Java: librdkafka's mock cluster (EventBus.Kafka.Testing's
        MockKafkaCluster) on 127.0.0.1, PLAINTEXT. It prints the bootstrap servers and the variables to export, then
        runs until Ctrl-C or SIGTERM and exits 0. Any Kafka client can connect: EventBus services, kcat, Java, ...

          --brokers N         brokers to start (default 3); each listens on a free port picked at start
          --topic SPEC        a topic to create, repeatable: NAME, NAME:PARTITIONS or NAME:PARTITIONS:REPLICATION
                              (default 3 partitions, replication min(3, brokers)); topics a client asks for
                              that do not exist are created with 4 partitions
          --env-file PATH     also write the variables to PATH (KEY=VALUE lines, for `set -a; . PATH` or
                              `docker run --env-file`), removed again on exit
          -h, --help          this text

        The mock cluster has no admin API: `eventbus-topics plan` and a service's provisioner report that and fall
        back to metadata. Its data lives in memory and is gone when it stops.

        example:
          eventbus-kafka-local --brokers 3 --topic orders:6 --topic payments
        """;

    /// <summary>Parses the command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="options">The options, when the command line is valid.</param>
    /// <param name="error">What is wrong with it, otherwise.</param>
    /// <returns>Whether the command line is valid.</returns>
    public static bool TryParse(IReadOnlyList<string> args, out LocalBrokerOptions options, out string error)
    {
        ArgumentNullException.ThrowIfNull(args);
        options = new LocalBrokerOptions(DefaultBrokers, [], null, Help: false);
        error = string.Empty;
        var brokers = DefaultBrokers;
        var specs = new List<string>();
        string? envFile = null;
        if (args.Any(a => a is "-h" or "--help" or "-?"))
        {
            options = options with { Help = true };
            return true;
        }

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inlineValue) = arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 2
                ? (arg[..eq], arg[(eq + 1)..])
                : (arg, null);
            if (name is not ("--brokers" or "--topic" or "-t" or "--env-file"))
            {
                error = $"unknown argument '{arg}'";
                return false;
            }

            string value;
            if (inlineValue is not null)
            {
                value = inlineValue;
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                error = $"{name} needs a value";
                return false;
            }

            switch (name)
            {
                case "--brokers":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out brokers) || brokers is < 1 or > 64)
                    {
                        error = $"--brokers {value}: give a whole number from 1 to 64";
                        return false;
                    }

                    break;
                case "--env-file":
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        error = "--env-file needs a path";
                        return false;
                    }

                    envFile = value;
                    break;
                default:
                    specs.Add(value);
                    break;
            }
        }

        var topics = new List<LocalTopic>();
        foreach (var spec in specs)
        {
            if (!TryParseTopic(spec, brokers, out var topic, out error))
            {
                return false;
            }

            if (topics.Exists(t => string.Equals(t.Name, topic.Name, StringComparison.Ordinal)))
            {
                error = $"--topic {spec}: topic '{topic.Name}' is named twice";
                return false;
            }

            topics.Add(topic);
        }

        options = new LocalBrokerOptions(brokers, topics, envFile, Help: false);
        return true;
    }

    private static bool TryParseTopic(string spec, int brokers, out LocalTopic topic, out string error)
    {
        topic = new LocalTopic(string.Empty, 0, 0);
        error = string.Empty;
        var parts = spec.Split(':');
        var name = parts[0];
        if (parts.Length > 3 || !LegalTopicName().IsMatch(name) || name is "." or "..")
        {
            error = $"--topic {spec}: give NAME[:PARTITIONS[:REPLICATION]], NAME of 1 to 249 letters, digits, '.', '_' or '-'";
            return false;
        }

        var partitions = DefaultPartitions;
        if (parts.Length > 1 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out partitions) || partitions is < 1 or > 10_000))
        {
            error = $"--topic {spec}: partitions '{parts[1]}' must be a whole number from 1 to 10000";
            return false;
        }

        var replication = Math.Min(3, brokers);
        if (parts.Length > 2 && (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out replication) || replication < 1))
        {
            error = $"--topic {spec}: replication '{parts[2]}' must be a whole number of at least 1";
            return false;
        }

        if (replication > brokers)
        {
            error = $"--topic {spec}: replication {replication} is more than the {brokers} broker(s); lower it or raise --brokers";
            return false;
        }

        topic = new LocalTopic(name, partitions, replication);
        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,249}$", RegexOptions.CultureInvariant)]
    private static partial Regex LegalTopicName();
}
