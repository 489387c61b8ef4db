using System.Globalization;
using Confluent.Kafka;

namespace EventBus.Benchmarks.Harness;

/// <summary>What the hand-made span-per-message floors share: the conventions' constant attributes and partition ids made once.</summary>
internal static class ConventionTags
{
    private static readonly string[] PartitionIds = [.. Enumerable.Range(0, 256).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>A partition id as text, without allocating for the first 256.</summary>
    public static string PartitionId(Partition partition) =>
        (uint)partition.Value < (uint)PartitionIds.Length ? PartitionIds[partition.Value] : partition.Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The constant attributes of an operation's spans on one topic (and consumer group), given at creation.</summary>
    public static KeyValuePair<string, object?>[] Constant(string operation, string topic, string? group = null)
    {
        List<KeyValuePair<string, object?>> tags =
        [
            new("messaging.system", "kafka"),
            new("messaging.operation.type", operation),
            new("messaging.operation.name", operation),
            new("messaging.destination.name", topic),
        ];
        if (group is not null)
        {
            tags.Add(new("messaging.consumer.group.name", group));
        }

        return [.. tags];
    }
}
