namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>
/// The reliability suite's trait: <c>dotnet test tests/EventBus.Kafka.IntegrationTests -c Release --filter "Category=Reliability"</c>.
/// Every scenario prints one <c>RELIABILITY</c> line (see <see cref="Infrastructure.ScenarioResult"/>).
/// </summary>
internal static class ReliabilityCategory
{
    /// <summary>The trait name.</summary>
    public const string Name = "Category";

    /// <summary>The trait value of every reliability test.</summary>
    public const string Value = "Reliability";

    /// <summary>The trait value of the soak tests (they also carry <see cref="Value"/>).</summary>
    public const string Soak = "Soak";
}
