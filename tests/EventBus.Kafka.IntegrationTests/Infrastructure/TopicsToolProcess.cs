using System.Diagnostics;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>
/// Runs the built <c>eventbus-topics</c> tool (src/EventBus.Kafka.Tools) as a separate process, as an operator or a
/// pipeline would: configured only by the environment variables given, its own exit code, stdout and stderr.
/// </summary>
internal static class TopicsToolProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Gets the tool's entry assembly: the Tools project's own build output for this configuration.</summary>
    public static string AssemblyPath { get; } = FindAssembly();

    /// <summary>Runs <c>dotnet EventBus.Kafka.Tools.dll ARGS</c> with exactly these EventBus variables (none inherited).</summary>
    public static async Task<ToolRun> RunAsync(IEnumerable<(string Name, string Value)> variables, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The tool reads the process environment: drop whatever EventBus settings the test process happens to have.
        foreach (var name in start.Environment.Keys.Where(IsEventBusVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + start.FileName);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"eventbus-topics {string.Join(' ', args)} did not exit within {Timeout.TotalSeconds:0} s");
        }

        return new ToolRun(string.Join(' ', args), process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), clock.Elapsed);
    }

    private static bool IsEventBusVariable(string name) =>
        name.StartsWith("KAFKA_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("EventBus__", StringComparison.OrdinalIgnoreCase)
        || name is "SERVICE_NAME" or "SSL_CA_LOCATION" or "AWS_REGION";

    private static string FindAssembly()
    {
        // Tests run from tests/<project>/bin/<Configuration>/<tfm>/; the tool builds to src/EventBus.Kafka.Tools/bin/<Configuration>/<tfm>/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = here.Parent?.Name ?? "Release";
        for (var dir = here; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventBus.sln")))
            {
                // The tool has one target framework (net8.0, rolling forward to the runtime here).
                var built = Path.Combine(dir.FullName, "src", "EventBus.Kafka.Tools", "bin", configuration, "net8.0", "EventBus.Kafka.Tools.dll");
                if (File.Exists(built))
                {
                    return built;
                }

                break;
            }
        }

        // The copy MSBuild puts beside the tests (the same build, with its own deps.json and runtimeconfig.json).
        return Path.Combine(AppContext.BaseDirectory, "EventBus.Kafka.Tools.dll");
    }
}

/// <summary>One run of the tool.</summary>
internal sealed record ToolRun(string Command, int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    public override string ToString() => $"eventbus-topics {Command} → exit {ExitCode} in {Elapsed.TotalSeconds:0.0} s{Environment.NewLine}{StdOut}{StdErr}";
}
