using System.Diagnostics;

namespace EventBus.Kafka.Aws.Tests.RealBroker;

/// <summary>
/// One broker of the shared test kit (<c>../shared/kafka/kafka-broker</c> beside the repository) with its SASL
/// listeners, which take OAUTHBEARER with Kafka's unsecured validator: started for the tests of a class, stopped after.
/// When the kit or java is absent the tests skip and say why; a kit that is present but fails to start fails them.
/// </summary>
public sealed class KafkaKit : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(150);
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal);
    private string? _script;
    private string? _dir;
    private string? _startFailure;

    /// <summary>Gets why the tests skip (no kit, no java), or <see langword="null"/>.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Gets the SASL_SSL bootstrap servers.</summary>
    public string BootstrapSaslSsl => Require("BOOTSTRAP_SASL_SSL");

    /// <summary>Gets the CA of the broker certificate.</summary>
    public string CaPem => Require("CA_PEM");

    /// <summary>Skips the calling test when the kit is absent; fails it when the kit did not start.</summary>
    public void EnsureRunning()
    {
        if (SkipReason is not null)
        {
            Assert.Skip(SkipReason);
        }

        if (_startFailure is not null)
        {
            Assert.Fail(_startFailure);
        }
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        _script = FindScript();
        if (_script is null)
        {
            SkipReason = "the Kafka test kit (../shared/kafka/kafka-broker beside the repository) is absent";
            return;
        }

        if (!OnPath("java") && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JAVA_HOME")))
        {
            SkipReason = "the Kafka test kit needs java, which is neither on PATH nor in JAVA_HOME";
            return;
        }

        _dir = Path.Combine(Path.GetTempPath(), "aws-kit-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, stdout, stderr) = await RunAsync("start", "--dir", _dir, "--brokers", "1", "--sasl", "--timeout", "90");
        if (code != 0)
        {
            _startFailure = $"kafka-broker start exited {code}:{Environment.NewLine}{Tail(stderr)}";
            return;
        }

        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                _env[line[..eq]] = line[(eq + 1)..];
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_script is null || _dir is null)
        {
            return;
        }

        await RunAsync("stop", "--dir", _dir);
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by an exiting process: the temporary folder is cleaned up by the system.
        }
    }

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventBus.sln")))
            {
                var script = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "kafka", "kafka-broker"));
                return File.Exists(script) ? script : null;
            }
        }

        return null;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    private string Require(string key) =>
        _env.TryGetValue(key, out var value) ? value : throw new InvalidOperationException($"The kit printed no {key}; it printed: {string.Join(", ", _env.Keys)}");

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(_script!);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, await stdout, $"timed out after {CommandTimeout.TotalSeconds} s{Environment.NewLine}{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
