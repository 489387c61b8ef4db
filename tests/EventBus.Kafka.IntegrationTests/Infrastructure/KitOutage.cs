using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>
/// Takes brokers of the Kafka kit down (stop-broker: SIGTERM, controlled shutdown; kill-broker: SIGKILL, as in a crash)
/// and always brings them back: <see cref="DisposeAsync"/> starts whatever is still down, so a failing scenario never
/// leaves the shared cluster short of a broker for the tests after it. Use only in a collection that runs alone.
/// </summary>
internal sealed class KitOutage(KafkaKit kit, string bootstrapServers) : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(240);

    /// <summary>How long start-broker may take to answer metadata: longer than the kit helper's 90 s, because after a kill
    /// it first waits out the ZooKeeper session and then recovers the logs, and on a loaded machine (2 cores, several
    /// test runs) that took more than 90 s.</summary>
    private const string StartTimeoutSeconds = "180";
    private readonly HashSet<int> _down = [];

    /// <summary>Gets the brokers this outage took down and has not started again.</summary>
    public IReadOnlyCollection<int> Down => _down;

    /// <summary>Stops a broker (controlled shutdown: leadership moves away first) and waits until it has exited.</summary>
    /// <param name="id">The broker id.</param>
    /// <returns>A task.</returns>
    public async Task StopAsync(int id)
    {
        _down.Add(id);
        await kit.StopBrokerAsync(id).ConfigureAwait(false);
    }

    /// <summary>Kills a broker (SIGKILL): the cluster notices only when its ZooKeeper session expires (18–20 s).</summary>
    /// <param name="id">The broker id.</param>
    /// <returns>A task.</returns>
    public async Task KillAsync(int id)
    {
        _down.Add(id);
        await RunAsync("kill-broker", "--dir", kit.Directory, "--id", id.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
    }

    /// <summary>Kills a broker (SIGKILL) and waits until the cluster has dropped it (<see cref="WaitUntilGoneAsync"/>).</summary>
    /// <param name="id">The broker id.</param>
    /// <returns>A task.</returns>
    public async Task KillUntilGoneAsync(int id)
    {
        await KillAsync(id).ConfigureAwait(false);
        await WaitUntilGoneAsync(id).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until the cluster has noticed that a killed broker is gone: its ZooKeeper session expired (18–20 s after the
    /// kill), the controller dropped it and the surviving brokers no longer list it in their metadata (so its partitions
    /// have new leaders and ISRs without it).
    /// </summary>
    /// <param name="id">The broker id.</param>
    /// <returns>A task.</returns>
    public async Task WaitUntilGoneAsync(int id)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        await Wait.UntilAsync(
            () => admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.All(b => b.BrokerId != id),
            TimeSpan.FromSeconds(90),
            $"the cluster to drop the killed broker {id} (its ZooKeeper session should expire in about 18 s)").ConfigureAwait(false);
    }

    /// <summary>Starts brokers again (after a kill, start-broker first waits until ZooKeeper has dropped the old registration), all at once,
    /// then waits until every partition of <paramref name="topics"/> has its full ISR again.</summary>
    /// <param name="ids">The brokers.</param>
    /// <param name="topics">The topics whose ISRs must be whole again.</param>
    /// <returns>A task.</returns>
    public async Task StartAsync(IReadOnlyCollection<int> ids, IReadOnlyCollection<string> topics)
    {
        // Without --wait-isr: with several brokers down, one may have to wait for another to lead its partitions again.
        await Task.WhenAll(ids.Select(id => RunAsync("start-broker", "--dir", kit.Directory, "--id", id.ToString(CultureInfo.InvariantCulture), "--timeout", StartTimeoutSeconds))).ConfigureAwait(false);
        foreach (var id in ids)
        {
            _down.Remove(id);
        }

        await WaitForFullIsrAsync(topics).ConfigureAwait(false);
    }

    /// <summary>The broker that coordinates a consumer group now.</summary>
    /// <param name="group">The group.</param>
    /// <returns>The broker id.</returns>
    public async Task<int> CoordinatorOfAsync(string group)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var description = await admin.DescribeConsumerGroupsAsync([group]).ConfigureAwait(false);
        return description.ConsumerGroupDescriptions.Single().Coordinator.Id;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_down.Count > 0)
        {
            await Task.WhenAll(_down.Select(id => kit.StartBrokerAsync(id, waitIsr: true))).ConfigureAwait(false);
            _down.Clear();
        }
    }

    private async Task WaitForFullIsrAsync(IReadOnlyCollection<string> topics)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var cancellation = TestContext.Current.CancellationToken; // read once while the test runs (see Wait.UntilAsync)
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var partitions = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Where(t => topics.Contains(t.Topic))
                .SelectMany(t => t.Partitions.Select(p => (t.Topic, Partition: p))).ToList();
            var behind = partitions.Where(x => x.Partition.Leader < 0 || x.Partition.InSyncReplicas.Length < x.Partition.Replicas.Length).ToList();
            if (partitions.Count > 0 && behind.Count == 0)
            {
                return;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(120))
            {
                Assert.Fail("Timed out after 120 s waiting for full ISRs: " +
                    string.Join(", ", behind.Select(x => $"{x.Topic}[{x.Partition.PartitionId}] leader {x.Partition.Leader}, ISR {x.Partition.InSyncReplicas.Length}/{x.Partition.Replicas.Length}")));
            }

            await Task.Delay(200, cancellation).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(params string[] args)
    {
        var script = kit.Script ?? throw new InvalidOperationException("The kit's kafka-broker script was not found: " + kit.ScriptNote);
        var start = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + script);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        _ = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            Assert.Fail($"kafka-broker {string.Join(' ', args)} exited {process.ExitCode}: {errors}");
        }
    }
}
