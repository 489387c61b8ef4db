using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EventBus.Kafka.Hosting.Tests.Infrastructure;

/// <summary>
/// Runs a program of the repository — tests/EventBus.Kafka.Hosting.TestHost, or a sample — as a separate process, as
/// an orchestrator would run a service: configured only by the environment variables given (no EventBus variable
/// inherited), with its own exit code and output.
/// </summary>
internal sealed partial class TestHostProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ITestOutputHelper _output;
    private readonly string _name;

    private TestHostProcess(Process process, ITestOutputHelper output, string name)
    {
        _process = process;
        _output = output;
        _name = name;
        process.OutputDataReceived += (_, e) => Keep(e.Data, "out");
        process.ErrorDataReceived += (_, e) => Keep(e.Data, "err");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Gets the test host's entry assembly: its own build output for this configuration.</summary>
    public static string AssemblyPath { get; } = FindAssembly("tests", "EventBus.Kafka.Hosting.TestHost");

    /// <summary>Gets every line printed so far, stdout and stderr.</summary>
    public IReadOnlyList<string> Lines => _lines.ToArray();

    public string Output => string.Join(Environment.NewLine, Lines);

    public int ExitCode => _process.ExitCode;

    public static TestHostProcess Start(IEnumerable<KeyValuePair<string, string?>> variables, ITestOutputHelper output) =>
        Start(AssemblyPath, variables, output);

    /// <summary>Starts a sample (samples/<paramref name="sample"/>, built by this test project's reference to it).</summary>
    public static TestHostProcess StartSample(string sample, IEnumerable<KeyValuePair<string, string?>> variables, ITestOutputHelper output) =>
        Start(FindAssembly("samples", sample), variables, output);

    /// <summary>Waits until a printed line matches.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited || clock.Elapsed > timeout)
            {
                Assert.Fail($"{_name} {(_process.HasExited ? "exited" : "printed nothing")} before {what} ({clock.Elapsed.TotalSeconds:0} s):{Environment.NewLine}{Output}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken).ConfigureAwait(false);
        }
    }

    private static TestHostProcess Start(string assemblyPath, IEnumerable<KeyValuePair<string, string?>> variables, ITestOutputHelper output)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assemblyPath);
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
        return new TestHostProcess(process, output, Path.GetFileNameWithoutExtension(assemblyPath));
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
            Assert.Fail($"{_name} did not exit within {timeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
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

    private static string FindAssembly(string folder, string project)
    {
        // Tests run from tests/<project>/bin/<Configuration>/<tfm>/; a program builds to <folder>/<project>/bin/<Configuration>/<tfm>/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = here.Parent?.Name ?? "Release";
        var root = here.Parent?.Parent?.Parent?.Parent?.Parent?.FullName ?? ".";
        var built = Path.Combine(root, folder, project, "bin", configuration, here.Name, project + ".dll");
        return File.Exists(built) ? built : throw new FileNotFoundException($"Build {folder}/{project} first (the test project references it).", built);
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
            _output.WriteLine($"[{_name} {stream}] {line}");
        }
        catch (InvalidOperationException)
        {
        }
    }
}
