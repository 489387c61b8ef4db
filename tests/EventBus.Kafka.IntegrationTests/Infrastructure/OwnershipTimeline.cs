using System.Text.RegularExpressions;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>
/// Who owned which partition when, read from the members' own rebalance log lines (PartitionsAssigned, PartitionsRevoked,
/// PartitionsRevokedUncommitted, PartitionsLost), and the handovers no member was told about.
/// </summary>
/// <remarks>
/// A <b>silent handover</b>: a partition assigned to a member while another member still held it by its own account, and
/// that member was never told it lost it (no PartitionsLost for it afterwards) and was not killed. Both then handle the
/// partition: the new owner from the committed offset, the old one from where it was, so records are handled twice with no
/// disruption the application could see. librdkafka's mock cluster causes it: a member its session timer expelled
/// (the coordinator was down for about the session timeout) and whose next request is a JoinGroup is added back under its
/// old member id, where Kafka answers UNKNOWN_MEMBER_ID and librdkafka then reports the partitions lost.
/// </remarks>
internal static partial class OwnershipTimeline
{
    private static readonly HashSet<string> RebalanceEvents = new(StringComparer.Ordinal)
    {
        "PartitionsAssigned", "PartitionsRevoked", "PartitionsRevokedUncommitted", "PartitionsLost",
    };

    /// <summary>Counts the assignments that took over at least one partition silently (see the remarks).</summary>
    /// <param name="lines">Every member's log lines: the member's name, the line.</param>
    /// <param name="killed">The members killed: their partitions move without them being told, counted as kills.</param>
    /// <returns>The silent handovers, one per assignment however many partitions it took over.</returns>
    public static int SilentHandovers(IEnumerable<(string Member, CapturingLoggerFactory.LogLine Line)> lines, IReadOnlySet<string> killed)
    {
        var owners = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

        // Per assignment (its index in time order): the (previous owner, partition) pairs it took over while still held.
        var takeovers = new Dictionary<int, List<(string Owner, string Partition)>>();
        var index = 0;
        foreach (var (member, line) in lines.Where(l => l.Line.EventName is { } e && RebalanceEvents.Contains(e)).OrderBy(l => l.Line.At))
        {
            index++;
            foreach (var partition in Partitions(line.Message))
            {
                if (!owners.TryGetValue(partition, out var holders))
                {
                    owners[partition] = holders = new HashSet<string>(StringComparer.Ordinal);
                }

                switch (line.EventName)
                {
                    case "PartitionsAssigned":
                        foreach (var holder in holders.Where(h => h != member))
                        {
                            (takeovers.TryGetValue(index, out var list) ? list : takeovers[index] = []).Add((holder, partition));
                        }

                        holders.Add(member);
                        break;
                    case "PartitionsLost":
                        holders.Remove(member);

                        // The previous owner was told after all: a loss, counted as one.
                        foreach (var list in takeovers.Values)
                        {
                            list.RemoveAll(t => t.Owner == member && t.Partition == partition);
                        }

                        break;
                    default:
                        holders.Remove(member);
                        break;
                }
            }
        }

        return takeovers.Values.Count(list => list.Any(t => !killed.Contains(t.Owner)));
    }

    /// <summary>The partitions a rebalance line names: <c>topic[n]</c> items after its last colon.</summary>
    private static IEnumerable<string> Partitions(string message)
    {
        var colon = message.LastIndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? [] : PartitionPattern().Matches(message[(colon + 2)..]).Select(m => m.Value);
    }

    [GeneratedRegex(@"[^\s,]+\[\d+\]")]
    private static partial Regex PartitionPattern();
}
