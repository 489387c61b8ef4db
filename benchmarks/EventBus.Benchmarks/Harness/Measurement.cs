namespace EventBus.Benchmarks.Harness;

/// <summary>One run of one variant in one round: the raw numbers, as written to the JSON file.</summary>
internal sealed record Measurement
{
    public required string Variant { get; init; }

    /// <summary>0 is the first round (reported apart); 1 and up are the measured rounds.</summary>
    public required int Round { get; init; }

    /// <summary>Where the variant ran in its round (0 = first).</summary>
    public required int Position { get; init; }

    public required int Messages { get; init; }

    public required double Seconds { get; init; }

    /// <summary>Process CPU time (user + system, every thread) over the run.</summary>
    public required double CpuSeconds { get; init; }

    /// <summary>CPU time of the in-process mock cluster's thread over the run (0 on a real broker).</summary>
    public required double MockBrokerCpuSeconds { get; init; }

    /// <summary>Bytes allocated on the managed heap by every thread over the run.</summary>
    public required long AllocatedBytes { get; init; }

    public required int Gen0Collections { get; init; }

    public required int Gen1Collections { get; init; }

    public required int Gen2Collections { get; init; }

    /// <summary>How often the publishing loop had to wait for room in the in-flight window.</summary>
    public long WindowWaits { get; init; }

    /// <summary>Cores other processes kept busy during the run, on average (the machine is shared).</summary>
    public double OtherProcessesCores { get; init; }

    /// <summary>Cores' worth of time the hypervisor stole during the run.</summary>
    public double StealCores { get; init; }

    public double? P50Ms { get; init; }

    public double? P99Ms { get; init; }

    public double Rate => Messages / Seconds;

    public double CpuMicrosPerMessage => CpuSeconds * 1e6 / Messages;

    /// <summary>The part of <see cref="CpuMicrosPerMessage"/> spent by the in-process mock broker.</summary>
    public double MockBrokerCpuMicrosPerMessage => MockBrokerCpuSeconds * 1e6 / Messages;

    public double AllocatedBytesPerMessage => AllocatedBytes / (double)Messages;
}
