using System.Runtime.CompilerServices;
using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.Hosting.Configuration;

/// <summary>
/// What binding the <c>EventBus</c> section found for each options instance: the problems (validated with the rest)
/// and the unknown keys (logged at start-up). Kept beside the options, since the core keeps its own binding problems
/// internal.
/// </summary>
internal sealed class ConfigurationBindings
{
    private readonly ConditionalWeakTable<EventBusOptions, Result> _results = new();

    /// <summary>Records what binding found for <paramref name="options"/>.</summary>
    /// <param name="options">The options bound.</param>
    /// <param name="result">What was found.</param>
    public void Set(EventBusOptions options, Result result) => _results.AddOrUpdate(options, result);

    /// <summary>Gets what binding found for <paramref name="options"/>; empty when they were not bound here.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The result.</returns>
    public Result Get(EventBusOptions options) => _results.TryGetValue(options, out var result) ? result : Result.Empty;

    /// <summary>Problems and unknown keys of one binding.</summary>
    /// <param name="Problems">Values that could not be read, each named by its configuration key.</param>
    /// <param name="UnknownKeys">Keys under the section that EventBus does not read.</param>
    internal sealed record Result(IReadOnlyList<ConfigurationProblem> Problems, IReadOnlyList<string> UnknownKeys)
    {
        public static readonly Result Empty = new([], []);
    }
}
