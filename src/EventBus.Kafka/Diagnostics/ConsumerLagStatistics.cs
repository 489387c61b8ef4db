using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;

namespace EventBus.Kafka.Diagnostics;

/// <summary>
/// Reads the consumer lag of each assigned partition out of librdkafka's statistics JSON
/// (<c>topics.{topic}.partitions.{id}.consumer_lag</c>: the end offset, or the last stable offset under
/// read_committed, minus the group's committed offset). A partition librdkafka does not consume
/// (<c>desired</c> false), its internal <c>-1</c> partition, and a partition without a committed offset yet
/// (<c>consumer_lag</c> −1) are left out.
/// </summary>
internal static class ConsumerLagStatistics
{
    /// <summary>Parses the statistics into gauge measurements tagged with the group, topic and partition.</summary>
    /// <param name="json">The statistics document.</param>
    /// <param name="groupId">The consumer group.</param>
    /// <returns>The measurements (empty when the document has none or is not understood).</returns>
    public static Measurement<long>[] Parse(string json, string groupId)
    {
        List<Measurement<long>> lags = [];
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("topics", out var topics) || topics.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            foreach (var topic in topics.EnumerateObject())
            {
                if (!topic.Value.TryGetProperty("partitions", out var partitions) || partitions.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var partition in partitions.EnumerateObject())
                {
                    if (TryLag(partition.Value, out var id, out var lag))
                    {
                        lags.Add(new Measurement<long>(lag, new TagList
                        {
                            { TelemetryTags.MessagingSystem, TelemetryTags.Kafka },
                            { TelemetryTags.ConsumerGroup, groupId },
                            { TelemetryTags.DestinationName, topic.Name },
                            { TelemetryTags.PartitionId, TelemetryTags.Partition(id) },
                        }));
                    }
                }
            }
        }
        catch (JsonException)
        {
            return [];
        }

        return [.. lags];
    }

    private static bool TryLag(JsonElement partition, out int id, out long lag)
    {
        id = -1;
        lag = -1;
        if (partition.ValueKind != JsonValueKind.Object
            || !partition.TryGetProperty("partition", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt32(out id) || id < 0
            || !partition.TryGetProperty("consumer_lag", out var lagElement) || lagElement.ValueKind != JsonValueKind.Number || !lagElement.TryGetInt64(out lag) || lag < 0)
        {
            return false;
        }

        // Partitions of a subscribed topic that are not assigned to this member are listed too, not desired.
        return !partition.TryGetProperty("desired", out var desired) || desired.ValueKind != JsonValueKind.False;
    }
}
