using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EventBus.Kafka.LocalBroker.Tests;

/// <summary>
/// Runs <c>eventbus-kafka-local</c> as a separate process from the tool project's own build output
/// (<c>dotnet EventBus.Kafka.LocalBroker.dll ARGS</c>), as a developer runs the installed tool.
/// </summary>
internal sealed partial class LocalBrokerProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ITestOutputHelper _output;

    private LocalBrokerProcess(Process process, ITestOutputHelper output)
    {
        _process = process;
        _output = output;
        process.OutputDataReceived += (_, e) => Keep(e.Data, "out");
        process.ErrorDataReceived += (_, e) => Keep(e.Data, "err");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Gets the tool's entry assembly.</summary>
    public static string AssemblyPath { get; } = FindAssembly();

    /// <summary>Gets every line printed so far, stdout and stderr.</summary>
    public IReadOnlyList<string> Lines => _lines.ToArray();

    public string Output => string.Join(Environment.NewLine, Lines);

    public static LocalBrokerProcess Start(ITestOutputHelper output, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + start.FileName);
        process.StandardInput.Close();
        return new LocalBrokerProcess(process, output);
    }

    /// <summary>Waits for the <c>export NAME=VALUE</c> line of a variable and returns its value.</summary>
    public async Task<string> WaitForExportAsync(string name, TimeSpan timeout)
    {
        var prefix = $"export {name}=";
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            {
                return line[prefix.Length..];
            }

            if (_process.HasExited)
            {
                Assert.Fail($"eventbus-kafka-local exited with {_process.ExitCode} before printing {name}:{Environment.NewLine}{Output}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken).ConfigureAwait(false);
        }

        Assert.Fail($"eventbus-kafka-local printed no {name} within {timeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
        return string.Empty;
    }

    /// <summary>Sends SIGTERM, as <c>kill</c>, <c>docker stop</c> or Kubernetes does.</summary>
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
            Assert.Fail($"eventbus-kafka-local did not exit within {timeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
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

    private static string FindAssembly()
    {
        // Tests run from tests/<project>/bin/<Configuration>/<tfm>/; the tool builds to
        // src/EventBus.Kafka.LocalBroker/bin/<Configuration>/<its one tfm>/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = here.Parent?.Name ?? "Release";
        for (var dir = here; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventBus.sln")))
            {
                var bin = new DirectoryInfo(Path.Combine(dir.FullName, "src", "EventBus.Kafka.LocalBroker", "bin", configuration));
                var built = bin.Exists ? bin.GetFiles("EventBus.Kafka.LocalBroker.dll", SearchOption.AllDirectories).Where(f => f.Directory?.Parent?.FullName == bin.FullName).ToList() : [];
                return built.Count == 1
                    ? built[0].FullName
                    : throw new FileNotFoundException($"Expected one build of the tool under {bin.FullName}, found {built.Count}; build src/EventBus.Kafka.LocalBroker (the test project references it).");
            }
        }

        throw new FileNotFoundException($"No EventBus.sln above {AppContext.BaseDirectory}.");
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
            _output.WriteLine($"[eventbus-kafka-local {stream}] {line}");
        }
        catch (InvalidOperationException)
        {
        }
    }
}
