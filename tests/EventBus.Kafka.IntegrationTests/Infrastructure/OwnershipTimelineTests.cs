using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>The reliability scenarios' count of silent handovers, on rebalance lines as the library writes them.</summary>
public sealed class OwnershipTimelineTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UnixEpoch;
    private static readonly HashSet<string> NoneKilled = [];

    [Fact]
    public void GracefulHandover_RevokedBeforeAssigned_IsNotSilent()
    {
        var lines = new[]
        {
            Line("c1", 0, "PartitionsAssigned", "Group g: 2 partition(s) assigned: t[0],t[1]"),
            Line("c1", 1, "PartitionsRevoked", "Group g: 1 partition(s) revoked after committing their completed work: t[1]"),
            Line("c2", 2, "PartitionsAssigned", "Group g: 1 partition(s) assigned: t[1]"),
        };

        Assert.Equal(0, OwnershipTimeline.SilentHandovers(lines, NoneKilled));
    }

    [Fact]
    public void AssignedWhileTheOwnerStillHoldsIt_OwnerNeverTold_IsOneSilentHandoverPerAssignment()
    {
        var lines = new[]
        {
            Line("c1", 0, "PartitionsAssigned", "Group g-rel: 3 partition(s) assigned: rel[0],rel[1],rel[2]"),
            Line("c2", 1, "PartitionsAssigned", "Group g-rel: 2 partition(s) assigned: rel[1],rel[2]"),
            Line("c2", 2, "PartitionsRevoked", "Group g-rel: 2 partition(s) revoked after committing their completed work: rel[1],rel[2]"),
        };

        Assert.Equal(1, OwnershipTimeline.SilentHandovers(lines, NoneKilled));
    }

    [Fact]
    public void AssignedWhileTheOwnerStillHoldsIt_OwnerToldLaterItLostIt_IsCountedAsTheLoss()
    {
        var lines = new[]
        {
            Line("c1", 0, "PartitionsAssigned", "Group g: 1 partition(s) assigned: t[0]"),
            Line("c2", 1, "PartitionsAssigned", "Group g: 1 partition(s) assigned: t[0]"),
            Line("c1", 2, "PartitionsLost", "Group g: 1 partition(s) lost; their uncommitted work will be redelivered: t[0]"),
        };

        Assert.Equal(0, OwnershipTimeline.SilentHandovers(lines, NoneKilled));
    }

    [Fact]
    public void KilledOwner_IsCountedAsTheKill()
    {
        var lines = new[]
        {
            Line("c1", 0, "PartitionsAssigned", "Group g: 1 partition(s) assigned: t[0]"),
            Line("c2", 1, "PartitionsAssigned", "Group g: 1 partition(s) assigned: t[0]"),
        };

        Assert.Equal(0, OwnershipTimeline.SilentHandovers(lines, new HashSet<string> { "c1" }));
    }

    private static (string, CapturingLoggerFactory.LogLine) Line(string member, int second, string eventName, string message) =>
        (member, new CapturingLoggerFactory.LogLine(Start.AddSeconds(second), "EventBus.Kafka.Consuming.EventConsumer", LogLevel.Information, 2000, eventName, message, null));
}
