using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>
/// Picks the <see cref="TransactionPath"/>: reads every broker's <c>inter.broker.protocol.version</c> (DescribeConfigs
/// on the broker resources, through the consumer's own connection) and takes the lowest. At 2.5 or later the cluster
/// runs KIP-447 (group-metadata fencing) and one producer suffices; below, or when the version cannot be read (an ACL
/// refuses DescribeConfigs, a broker does not answer), one producer per input partition, which is correct on every
/// broker with transactions.
/// </summary>
internal static class BrokerVersionProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Reads the cluster's lowest inter-broker protocol version and picks the path.</summary>
    /// <param name="handle">The consumer's handle (no new connection is made).</param>
    /// <param name="version">The lowest version read, or why none was.</param>
    /// <param name="why">Why this path.</param>
    /// <returns>The path.</returns>
    public static TransactionPath Detect(Handle handle, out string version, out string why)
    {
        try
        {
            using var admin = new DependentAdminClientBuilder(handle).Build();
            var brokers = admin.GetMetadata(Timeout).Brokers;
            var resources = brokers.Select(b => new ConfigResource { Type = ResourceType.Broker, Name = b.BrokerId.ToString(CultureInfo.InvariantCulture) }).ToList();
            var results = admin.DescribeConfigsAsync(resources, new DescribeConfigsOptions { RequestTimeout = Timeout }).GetAwaiter().GetResult();
            var versions = results
                .Select(r => r.Entries.TryGetValue("inter.broker.protocol.version", out var entry) ? entry.Value : null)
                .ToList();
            if (versions.Count == 0 || versions.Any(v => v is null || !TryParse(v, out _)))
            {
                version = "unknown";
                why = "a broker did not report it: one producer per input partition works on every version";
                return TransactionPath.ProducerPerPartition;
            }

            var lowest = versions.Select(v => (Text: v!, Version: Parse(v!))).MinBy(v => v.Version);
            version = lowest.Text;
            if (lowest.Version >= new Version(2, 5))
            {
                why = "2.5 or later: KIP-447 fences by group metadata, one producer for all partitions";
                return TransactionPath.GroupMetadata;
            }

            why = "before 2.5, no KIP-447: one transactional producer per input partition fences the previous owner";
            return TransactionPath.ProducerPerPartition;
        }
        catch (KafkaException ex)
        {
            version = "unknown";
            why = $"could not read it ({ex.Error.Code}): one producer per input partition works on every version";
            return TransactionPath.ProducerPerPartition;
        }
    }

    /// <summary>Parses <c>2.4-IV1</c>, <c>2.8</c>, <c>3.6-IV2</c> and <c>0.11.0</c> style versions (major and minor only; <c>0.x.y</c> keeps x as minor).</summary>
    /// <param name="text">The version text.</param>
    /// <param name="version">The major and minor.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(string text, out Version version)
    {
        var core = text.Split('-')[0].Split('.');
        if (core.Length >= 2
            && int.TryParse(core[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(core[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            version = new Version(major, minor);
            return true;
        }

        version = new Version(0, 0);
        return false;
    }

    private static Version Parse(string text) => TryParse(text, out var version) ? version : new Version(0, 0);
}
