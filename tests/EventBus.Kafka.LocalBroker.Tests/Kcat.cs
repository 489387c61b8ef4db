using System.Diagnostics;

namespace EventBus.Kafka.LocalBroker.Tests;

/// <summary>
/// kcat, a Kafka client of its own (a C program, another process): `.ci/run` installs it from Debian
/// (<c>apt-get install -y kcat</c>). Tests that need it skip, saying so, where it is not on PATH.
/// </summary>
internal static class Kcat
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Gets the path of kcat (or of kafkacat, its older name), or <see langword="null"/>.</summary>
    public static string? Path { get; } = Find();

    public static void SkipUnlessInstalled()
    {
        if (Path is null)
        {
            Assert.Skip("kcat is not on PATH: install it (apt-get install -y kcat; brew install kcat). .ci/run installs it.");
        }
    }

    /// <summary>Runs kcat with the arguments and returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path ?? throw new InvalidOperationException("kcat is not installed"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + start.FileName);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"kcat {string.Join(' ', args)} did not exit within {Timeout.TotalSeconds:0} s");
        }

        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static string? Find()
    {
        var names = OperatingSystem.IsWindows() ? new[] { "kcat.exe", "kafkacat.exe" } : ["kcat", "kafkacat"];
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = System.IO.Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
