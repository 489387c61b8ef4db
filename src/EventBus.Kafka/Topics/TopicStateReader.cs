using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace EventBus.Kafka.Topics;

/// <summary>
/// Reads what the cluster has for the specified topics: partitions and replicas from metadata, configs from
/// DescribeConfigs. Topics created a moment ago are waited for (bounded by the creation timeout): on a multi-broker
/// cluster the broker that answers may not have learnt of them yet, and reports them unknown.
/// </summary>
internal sealed class TopicStateReader(AdminConnection connection, string operation, TimeSpan timeout, TimeProvider time)
{
    private readonly IAdminClient _admin = connection.Admin;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Metadata of the topics, by name; the created ones once visible or when the timeout is up.</summary>
    /// <param name="created">Topics this run created.</param>
    /// <param name="report">Where a created topic that never showed up is noted.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Every topic of the cluster's metadata, by name.</returns>
    public async Task<Dictionary<string, TopicMetadata>> ReadMetadataAsync(IReadOnlySet<string> created, TopicProvisioningReport report, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var metadata = await connection.GetMetadataAsync(operation, report.Required, cancellationToken).ConfigureAwait(false);
            var byName = metadata.Topics.ToDictionary(t => t.Topic, StringComparer.Ordinal);
            var unseen = created.Where(name => !byName.TryGetValue(name, out var t) || t.Error.Code != ErrorCode.NoError).ToList();
            if (unseen.Count == 0)
            {
                return byName;
            }

            if (time.GetUtcNow() >= deadline)
            {
                unseen.ForEach(name => report.NoteList.Add($"{name}: created, but not in the cluster's metadata after {timeout.TotalSeconds:0.#} s; not verified"));
                return byName;
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The configs of the topics, or <see langword="null"/> when the cluster has no DescribeConfigs (noted in the report).</summary>
    /// <param name="topics">The topics to describe.</param>
    /// <param name="created">Topics this run created (an "unknown topic" for one of them is waited out).</param>
    /// <param name="report">Where fallbacks are noted.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Config name → value, by topic; topics whose configs could not be read are left out and noted.</returns>
    public async Task<Dictionary<string, Dictionary<string, string>>?> DescribeAsync(IReadOnlyList<string> topics, IReadOnlySet<string> created, TopicProvisioningReport report, CancellationToken cancellationToken)
    {
        var resources = topics.Select(t => new ConfigResource { Type = ResourceType.Topic, Name = t }).ToList();
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            try
            {
                var results = await _admin.DescribeConfigsAsync(resources, new DescribeConfigsOptions { RequestTimeout = timeout }).ConfigureAwait(false);
                return results.ToDictionary(r => r.ConfigResource.Name, r => Values(r.Entries), StringComparer.Ordinal);
            }
            catch (DescribeConfigsException ex) when (ex.Results.Where(r => r.Error.IsError).All(r => r.Error.Code == ErrorCode.UnknownTopicOrPart && created.Contains(r.ConfigResource.Name))
                && time.GetUtcNow() < deadline)
            {
                // Just created, not yet known to the broker that answered: ask again.
                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (DescribeConfigsException ex) when (ex.Results.Any(r => r.Error.IsError && !TopicProvisioner.IsAdminApiMissing(r.Error)))
            {
                // The request is implemented; some topics could not be described (unknown, or DESCRIBE_CONFIGS not granted).
                foreach (var failed in ex.Results.Where(r => r.Error.IsError))
                {
                    report.NoteList.Add($"{failed.ConfigResource.Name}: its configs could not be read ({failed.Error.Code}: {failed.Error.Reason}); verified partition count and replication only");
                }

                return ex.Results.Where(r => !r.Error.IsError).ToDictionary(r => r.ConfigResource.Name, r => Values(r.Entries), StringComparer.Ordinal);
            }
            catch (KafkaException ex) when (TopicProvisioner.IsAdminApiMissing(ex.Error) || ex is DescribeConfigsException)
            {
                report.AdminApiAvailable = false;
                report.NoteList.Add($"the cluster does not implement DescribeConfigs ({ex.Error.Reason}); verified partition counts and replication through metadata only");
                return null;
            }
            catch (KafkaException ex)
            {
                // The request failed as a whole (timed out, TLS, authentication): an error, with its diagnosis.
                var diagnosis = connection.Diagnose(ex.Error);
                report.ErrorList.Add(new TopicProvisioningError(TopicProvisioningError.Cluster, ex.Error.Code,
                    $"reading the topics' configs (DescribeConfigs) failed: {diagnosis?.Text ?? ex.Error.Reason}", diagnosis));
                return null;
            }
        }
    }

    private static Dictionary<string, string> Values(Dictionary<string, ConfigEntryResult> entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value.Value ?? string.Empty, StringComparer.Ordinal);
}
