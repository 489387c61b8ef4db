namespace EventBus.Benchmarks.Harness;

/// <summary>Where a run stands: its round (0 = the first, reported apart) and its place in that round.</summary>
internal readonly record struct RunContext(int Round, int Position);

/// <summary>One thing measured: a wrapper call or the raw client's baseline for it.</summary>
internal interface IVariant : IAsyncDisposable
{
    /// <summary>The name in the tables and the JSON file; ratios refer to variants by it.</summary>
    string Name { get; }

    /// <summary>Connects and sends or reads a message or two (connections, metadata, producer id), outside any round.</summary>
    Task WarmUpAsync();

    /// <summary>Runs once and measures only the run itself (no client creation, no group join).</summary>
    Task<Measurement> RunAsync(RunContext run);
}
