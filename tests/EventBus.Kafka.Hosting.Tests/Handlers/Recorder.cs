using System.Collections.Concurrent;

namespace EventBus.Kafka.Hosting.Tests.Handlers;

/// <summary>What the handlers saw, shared with the test (a singleton).</summary>
public sealed class Recorder
{
    public ConcurrentQueue<Handled> Started { get; } = new();

    public ConcurrentQueue<Handled> Handled { get; } = new();

    /// <summary>Gets or sets a gate the handlers wait on before they finish; <see langword="null"/> for none.</summary>
    public TaskCompletionSource? Gate { get; set; }
}

/// <summary>One record a handler saw.</summary>
public sealed record Handled(int Partition, long Offset, string OrderId, ScopedProbe? Probe, object? Handler);
