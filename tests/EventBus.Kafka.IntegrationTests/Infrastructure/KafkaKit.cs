using System.Diagnostics;
using System.Globalization;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>
/// A running cluster of the broker kit in <c>../shared/kafka</c> (real Apache Kafka 2.4 with ZooKeeper), started by
/// <c>kafka-broker start --dir DIR</c>. Reads the <c>KEY=VALUE</c> lines of <c>DIR/env</c> and runs the kit's script
/// for admin tools and for stopping and starting one broker.
/// </summary>
public sealed class KafkaKit
{
    /// <summary>The variable naming the kit's directory (the <c>--dir</c> of <c>kafka-broker start</c>).</summary>
    public const string DirectoryVariable = "EVENTBUS_TEST_KAFKA_DIR";

    /// <summary>The variable naming the kit's <c>kafka-broker</c> script, when it is not at <c>../shared/kafka</c> beside the repository.</summary>
    public const string ScriptVariable = "EVENTBUS_TEST_KAFKA_BROKER";

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(150);
    private readonly Dictionary<string, string> _env;

    private KafkaKit(string directory, Dictionary<string, string> env, string? script, string scriptNote)
    {
        Directory = directory;
        _env = env;
        Script = script;
        ScriptNote = scriptNote;
    }

    /// <summary>Gets the kit's directory.</summary>
    public string Directory { get; }

    /// <summary>Gets the path of the <c>kafka-broker</c> script, or <see langword="null"/> when it was not found.</summary>
    public string? Script { get; }

    /// <summary>Gets where the script was looked for, for skip messages.</summary>
    public string ScriptNote { get; }

    /// <summary>Gets the PLAINTEXT bootstrap servers (principal <c>User:ANONYMOUS</c>).</summary>
    public string BootstrapPlaintext => Get("BOOTSTRAP_PLAINTEXT");

    /// <summary>Gets the ZooKeeper connect string (for <c>kafka-configs --zookeeper</c>).</summary>
    public string ZookeeperConnect => Get("ZOOKEEPER_CONNECT");

    /// <summary>Gets the broker ids, in the order of the addresses of every bootstrap list.</summary>
    public IReadOnlyList<int> BrokerIds => Get("BROKER_IDS").Split(',').Select(id => int.Parse(id, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Gets the Kafka version the kit runs.</summary>
    public string KafkaVersion => Find("KAFKA_VERSION") ?? "unknown";

    /// <summary>Gets what this cluster offers, from the listeners it was started with and whether its script is at hand.</summary>
    public BrokerCapabilities Capabilities
    {
        get
        {
            var capabilities = BrokerCapabilities.AdminApi;
            if (Has("BOOTSTRAP_SSL", "CA_PEM"))
            {
                capabilities |= BrokerCapabilities.Ssl;
            }

            if (Has("BOOTSTRAP_SASL_SSL", "BOOTSTRAP_SASL_PLAINTEXT", "SASL_USERNAME", "SASL_PASSWORD", "CA_PEM"))
            {
                capabilities |= BrokerCapabilities.Sasl;
            }

            if (Has("BOOTSTRAP_MTLS", "CLIENT_CERT_PEM", "CLIENT_KEY_PEM", "CLIENT_KEY_PASSWORD", "CA_PEM", "MTLS_PRINCIPAL"))
            {
                capabilities |= BrokerCapabilities.MutualTls;
            }

            if (Script is not null)
            {
                capabilities |= BrokerCapabilities.AdminTools | BrokerCapabilities.Acls;
                if (BrokerIds.Count >= 2)
                {
                    capabilities |= BrokerCapabilities.BrokerRestart;
                }
            }

            return capabilities;
        }
    }

    /// <summary>Reads a started kit's <c>DIR/env</c>.</summary>
    /// <param name="directory">The kit's directory.</param>
    /// <returns>The kit.</returns>
    /// <exception cref="InvalidOperationException">The directory holds no started kit.</exception>
    public static KafkaKit Load(string directory)
    {
        var file = Path.Combine(directory, "env");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{DirectoryVariable}={directory}, but {file} does not exist. Start the kit first: " +
                $"../shared/kafka/kafka-broker start --dir {directory} --brokers 3 --ssl --sasl --mtls");
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(file))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                env[line[..equals].Trim()] = line[(equals + 1)..].Trim();
            }
        }

        var (script, note) = FindScript();
        var kit = new KafkaKit(directory, env, script, note);
        _ = kit.BootstrapPlaintext;
        return kit;
    }

    /// <summary>Gets a value of <c>DIR/env</c>.</summary>
    /// <param name="key">The key, e.g. <c>BOOTSTRAP_SSL</c>.</param>
    /// <returns>The value.</returns>
    public string Get(string key) =>
        Find(key) ?? throw new InvalidOperationException($"{Path.Combine(Directory, "env")} has no {key}: start the kit with --ssl --sasl --mtls.");

    /// <summary>Gets a value of <c>DIR/env</c>, or <see langword="null"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value or <see langword="null"/>.</returns>
    public string? Find(string key) => _env.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    /// <summary>Runs an admin tool of the kit (<c>kafka-broker tool kafka-topics.sh ...</c>) and fails the test unless it exits 0.</summary>
    /// <param name="tool">The tool, e.g. <c>kafka-acls.sh</c>.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>What it wrote to stdout.</returns>
    public Task<string> ToolAsync(string tool, params string[] args) => ToolAsync(tool, args, hideArguments: false);

    /// <summary>Runs an admin tool of the kit and fails the test unless it exits 0.</summary>
    /// <param name="tool">The tool.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="hideArguments">Leave the arguments out of failure messages (they hold a password).</param>
    /// <returns>What it wrote to stdout.</returns>
    public async Task<string> ToolAsync(string tool, IReadOnlyList<string> args, bool hideArguments)
    {
        var result = await RunScriptAsync(["tool", "--dir", Directory, tool, .. args]).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            Assert.Fail($"kafka-broker tool {tool} {(hideArguments ? "(arguments hidden)" : string.Join(' ', args))} exited {result.ExitCode}: {result.StdErr}{result.StdOut}");
        }

        return result.StdOut;
    }

    /// <summary>Stops one broker (SIGTERM, controlled shutdown) and waits until it has exited.</summary>
    /// <param name="id">The broker id.</param>
    /// <returns>A task.</returns>
    public Task StopBrokerAsync(int id) => CheckedAsync("stop-broker", "--dir", Directory, "--id", id.ToString(CultureInfo.InvariantCulture), "--timeout", "60");

    /// <summary>Starts a stopped broker again (same ports and data) and waits until it answers, and with <paramref name="waitIsr"/> until it is back in every ISR.</summary>
    /// <param name="id">The broker id.</param>
    /// <param name="waitIsr">Also wait until it has caught up.</param>
    /// <returns>A task.</returns>
    public Task StartBrokerAsync(int id, bool waitIsr = true) => waitIsr
        ? CheckedAsync("start-broker", "--dir", Directory, "--id", id.ToString(CultureInfo.InvariantCulture), "--wait-isr", "--timeout", "90")
        : CheckedAsync("start-broker", "--dir", Directory, "--id", id.ToString(CultureInfo.InvariantCulture), "--timeout", "90");

    /// <summary>Whether every broker of the kit runs (<c>kafka-broker status</c> exits 0).</summary>
    /// <returns><see langword="true"/> when all run.</returns>
    public async Task<bool> AllBrokersRunAsync() => (await RunScriptAsync(["status", "--dir", Directory]).ConfigureAwait(false)).ExitCode == 0;

    private async Task CheckedAsync(params string[] args)
    {
        var result = await RunScriptAsync(args).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            Assert.Fail($"kafka-broker {string.Join(' ', args)} exited {result.ExitCode}: {result.StdErr}");
        }
    }

    private async Task<ScriptResult> RunScriptAsync(IReadOnlyList<string> args)
    {
        if (Script is null)
        {
            throw new InvalidOperationException("The kit's kafka-broker script was not found: " + ScriptNote);
        }

        var start = new ProcessStartInfo(Script)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + Script);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"kafka-broker {args[0]} did not finish within {ScriptTimeout.TotalSeconds:0} s");
        }

        return new ScriptResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private bool Has(params string[] keys) => keys.All(k => Find(k) is not null);

    private static (string? Script, string Note) FindScript()
    {
        var named = Environment.GetEnvironmentVariable(ScriptVariable);
        if (!string.IsNullOrWhiteSpace(named))
        {
            return File.Exists(named) ? (named, $"{ScriptVariable}={named}") : (null, $"{ScriptVariable}={named} does not exist");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventBus.sln")))
            {
                var script = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "kafka", "kafka-broker"));
                return File.Exists(script) ? (script, script) : (null, $"{script} does not exist; set {ScriptVariable}");
            }
        }

        return (null, $"no EventBus.sln above {AppContext.BaseDirectory}; set {ScriptVariable}");
    }

    private sealed record ScriptResult(int ExitCode, string StdOut, string StdErr);
}
