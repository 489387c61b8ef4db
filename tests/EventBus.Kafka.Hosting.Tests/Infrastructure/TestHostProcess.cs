using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EventBus.Kafka.Hosting.Tests.Infrastructure;

/// <summary>
/// Runs tests/EventBus.Kafka.Hosting.TestHost as a separate process, as an orchestrator would run a service:
/// configured only by the environment variables given (none inherited), with its own exit code and output.
/// </summary>
internal sealed partial class TestHostProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ITestOutputHelper _output;

    private TestHostProcess(Process process, ITestOutputHelper output)
    {
        _process = process;
        _output = output;
        process.OutputDataReceived += (_, e) => Keep(e.Data, "out");
        process.ErrorDataReceived += (_, e) => Keep(e.Data, "err");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Gets the host's entry assembly: its own build output for this configuration.</summary>
    public static string AssemblyPath { get; } = FindAssembly();

    /// <summary>Gets every line printed so far, stdout and stderr.</summary>
    public IReadOnlyList<string> Lines => _lines.ToArray();

    public string Output => string.Join(Environment.NewLine, Lines);

    public int ExitCode => _process.ExitCode;

    public static TestHostProcess Start(IEnumerable<KeyValuePair<string, string?>> variables, ITestOutputHelper output)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var name in start.Environment.Keys.Where(IsEventBusVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + start.FileName);
        process.StandardInput.Close();
        return new TestHostProcess(process, output);
    }

    /// <summary>Sends SIGTERM, as `docker stop` or Kubernetes does.</summary>
    public void Terminate()
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"the test host did not exit within {timeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
        }

        // WaitForExitAsync also waits for the redirected streams to reach their end.
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private static bool IsEventBusVariable(string name) =>
        name.StartsWith("KAFKA_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("EventBus__", StringComparison.OrdinalIgnoreCase)
        || name is "SERVICE_NAME" or "SSL_CA_LOCATION" or "AWS_REGION" or "TESTHOST_MODE";

    private static string FindAssembly()
    {
        // Tests run from tests/<project>/bin/<Configuration>/<tfm>/; the host builds to tests/EventBus.Kafka.Hosting.TestHost/bin/<Configuration>/<tfm>/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = here.Parent?.Name ?? "Release";
        var tests = here.Parent?.Parent?.Parent?.Parent?.FullName ?? ".";
        var built = Path.Combine(tests, "EventBus.Kafka.Hosting.TestHost", "bin", configuration, here.Name, "EventBus.Kafka.Hosting.TestHost.dll");
        return File.Exists(built) ? built : throw new FileNotFoundException("Build tests/EventBus.Kafka.Hosting.TestHost first (the test project references it).", built);
    }

    private void Keep(string? line, string stream)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        try
        {
            _output.WriteLine($"[test host {stream}] {line}");
        }
        catch (InvalidOperationException)
        {
        }
    }
}
