using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace EventBus.Kafka.Tests.Topics;

/// <summary>An in-memory IAdminClient: a cluster of topics with scripted CreateTopics failures, recording every change.</summary>
internal sealed class FakeAdminClient(int brokers = 3) : IAdminClient
{
    public Dictionary<string, (int Partitions, int Replication, Dictionary<string, string> Configs)> Topics { get; } = new(StringComparer.Ordinal);

    /// <summary>Per CreateTopics call, the error to return for a topic (absent: success).</summary>
    public Queue<Dictionary<string, ErrorCode>> CreateFailures { get; } = new();

    public List<List<TopicSpecification>> CreateCalls { get; } = [];

    public List<PartitionsSpecification> PartitionIncreases { get; } = [];

    public List<(string Topic, string Name, string Value)> ConfigChanges { get; } = [];

    public bool HasAdminApi { get; set; } = true;

    /// <summary>How many metadata requests after a creation leave the new topics out (a broker that has not learnt of them yet).</summary>
    public int MetadataLagCalls { get; set; }

    /// <summary>How many DescribeConfigs requests after a creation answer "unknown topic" for the new topics.</summary>
    public int DescribeLagCalls { get; set; }

    /// <summary>Topics whose DescribeConfigs answers TOPIC_AUTHORIZATION_FAILED.</summary>
    public HashSet<string> DescribeDenied { get; } = new(StringComparer.Ordinal);

    public int MetadataCalls { get; private set; }

    public int DescribeCalls { get; private set; }

    private HashSet<string> NewTopics { get; } = new(StringComparer.Ordinal);

    public Handle Handle => throw new NotSupportedException();

    public string Name => "fake-admin";

    public void Add(string topic, int partitions, int replication, Dictionary<string, string>? configs = null) =>
        Topics[topic] = (partitions, replication, configs ?? new Dictionary<string, string>
        {
            ["retention.ms"] = "604800000", ["min.insync.replicas"] = "2", ["compression.type"] = "snappy",
        });

    public Metadata GetMetadata(TimeSpan timeout)
    {
        MetadataCalls++;
        var lagging = NewTopics.Count > 0 && MetadataLagCalls-- > 0;
        return Metadata(Topics.Where(t => !(lagging && NewTopics.Contains(t.Key))));
    }

    private Metadata Metadata(IEnumerable<KeyValuePair<string, (int Partitions, int Replication, Dictionary<string, string> Configs)>> topics) => new(
        Enumerable.Range(1, brokers).Select(i => new BrokerMetadata(i, "broker-" + i, 9092)).ToList(),
        topics.Select(t => new TopicMetadata(t.Key, Enumerable.Range(0, t.Value.Partitions)
            .Select(p => new PartitionMetadata(p, 1, Enumerable.Range(1, t.Value.Replication).ToArray(), Enumerable.Range(1, t.Value.Replication).ToArray(), new Error(ErrorCode.NoError))).ToList(),
            new Error(ErrorCode.NoError))).ToList(),
        1,
        "broker-1");

    public Metadata GetMetadata(string topic, TimeSpan timeout) => throw new NotSupportedException();

    public Task CreateTopicsAsync(IEnumerable<TopicSpecification> topics, CreateTopicsOptions? options = null)
    {
        var specs = topics.ToList();
        CreateCalls.Add(specs);
        if (!HasAdminApi)
        {
            throw new KafkaException(new Error(ErrorCode.Local_TimedOut, "Failed while waiting for controller: Local: Timed out"));
        }

        var failures = CreateFailures.Count > 0 ? CreateFailures.Dequeue() : [];
        var reports = new List<CreateTopicReport>();
        foreach (var spec in specs)
        {
            var error = failures.TryGetValue(spec.Name, out var code) ? code : ErrorCode.NoError;
            if (error is ErrorCode.NoError or ErrorCode.TopicAlreadyExists)
            {
                // TopicAlreadyExists: another instance created it between our listing and our request.
                Topics[spec.Name] = (spec.NumPartitions, spec.ReplicationFactor, new Dictionary<string, string>(spec.Configs));
                NewTopics.Add(spec.Name);
            }

            reports.Add(new CreateTopicReport { Topic = spec.Name, Error = new Error(error, error == ErrorCode.NoError ? "ok" : "scripted " + error) });
        }

        return reports.Any(r => r.Error.IsError) ? throw new CreateTopicsException(reports) : Task.CompletedTask;
    }

    public Task<List<DescribeConfigsResult>> DescribeConfigsAsync(IEnumerable<ConfigResource> resources, DescribeConfigsOptions? options = null)
    {
        if (!HasAdminApi)
        {
            throw new KafkaException(new Error(ErrorCode.Local_TimedOut, "Failed while waiting for controller: Local: Timed out"));
        }

        DescribeCalls++;
        var lagging = NewTopics.Count > 0 && DescribeLagCalls-- > 0;
        var list = resources.ToList();
        var reports = list.Select(r => new DescribeConfigsReport
        {
            ConfigResource = r,
            Entries = Topics[r.Name].Configs.ToDictionary(c => c.Key, c => new ConfigEntryResult { Name = c.Key, Value = c.Value }),
            Error = lagging && NewTopics.Contains(r.Name) ? new Error(ErrorCode.UnknownTopicOrPart, "Broker: Unknown topic or partition")
                : DescribeDenied.Contains(r.Name) ? new Error(ErrorCode.TopicAuthorizationFailed, "Broker: Topic authorization failed")
                : new Error(ErrorCode.NoError),
        }).ToList();
        if (reports.Any(r => r.Error.IsError))
        {
            throw new DescribeConfigsException(reports);
        }

        return Task.FromResult(reports.Select(r => new DescribeConfigsResult { ConfigResource = r.ConfigResource, Entries = r.Entries }).ToList());
    }

    public Task CreatePartitionsAsync(IEnumerable<PartitionsSpecification> partitionsSpecifications, CreatePartitionsOptions? options = null)
    {
        foreach (var spec in partitionsSpecifications)
        {
            PartitionIncreases.Add(spec);
            var topic = Topics[spec.Topic];
            Topics[spec.Topic] = (spec.IncreaseTo, topic.Replication, topic.Configs);
        }

        return Task.CompletedTask;
    }

    public Task<List<IncrementalAlterConfigsResult>> IncrementalAlterConfigsAsync(Dictionary<ConfigResource, List<ConfigEntry>> configs, IncrementalAlterConfigsOptions? options = null)
    {
        foreach (var (resource, entries) in configs)
        {
            foreach (var entry in entries)
            {
                ConfigChanges.Add((resource.Name, entry.Name, entry.Value));
                Topics[resource.Name].Configs[entry.Name] = entry.Value;
            }
        }

        return Task.FromResult(configs.Keys.Select(k => new IncrementalAlterConfigsResult { ConfigResource = k }).ToList());
    }

    public int AddBrokers(string brokers) => throw new NotSupportedException();

    public Task AlterConfigsAsync(Dictionary<ConfigResource, List<ConfigEntry>> configs, AlterConfigsOptions? options = null) => throw new NotSupportedException();

    public Task<List<AlterConsumerGroupOffsetsResult>> AlterConsumerGroupOffsetsAsync(IEnumerable<ConsumerGroupTopicPartitionOffsets> groupPartitions, AlterConsumerGroupOffsetsOptions? options = null) => throw new NotSupportedException();

    public Task AlterUserScramCredentialsAsync(IEnumerable<UserScramCredentialAlteration> alterations, AlterUserScramCredentialsOptions? options = null) => throw new NotSupportedException();

    public Task CreateAclsAsync(IEnumerable<AclBinding> aclBindings, CreateAclsOptions? options = null) => throw new NotSupportedException();

    public Task<List<DeleteAclsResult>> DeleteAclsAsync(IEnumerable<AclBindingFilter> aclBindingFilters, DeleteAclsOptions? options = null) => throw new NotSupportedException();

    public Task<DeleteConsumerGroupOffsetsResult> DeleteConsumerGroupOffsetsAsync(string group, IEnumerable<TopicPartition> partitions, DeleteConsumerGroupOffsetsOptions? options = null) => throw new NotSupportedException();

    public Task DeleteGroupsAsync(IList<string> groups, DeleteGroupsOptions? options = null) => throw new NotSupportedException();

    public Task<List<DeleteRecordsResult>> DeleteRecordsAsync(IEnumerable<TopicPartitionOffset> topicPartitionOffsets, DeleteRecordsOptions? options = null) => throw new NotSupportedException();

    public Task DeleteTopicsAsync(IEnumerable<string> topics, DeleteTopicsOptions? options = null) => throw new NotSupportedException();

    public Task<DescribeAclsResult> DescribeAclsAsync(AclBindingFilter aclBindingFilter, DescribeAclsOptions? options = null) => throw new NotSupportedException();

    public Task<DescribeConsumerGroupsResult> DescribeConsumerGroupsAsync(IEnumerable<string> groups, DescribeConsumerGroupsOptions? options = null) => throw new NotSupportedException();

    public Task<DescribeUserScramCredentialsResult> DescribeUserScramCredentialsAsync(IEnumerable<string> users, DescribeUserScramCredentialsOptions? options = null) => throw new NotSupportedException();

    public Task<List<ListConsumerGroupOffsetsResult>> ListConsumerGroupOffsetsAsync(IEnumerable<ConsumerGroupTopicPartitions> groupPartitions, ListConsumerGroupOffsetsOptions? options = null) => throw new NotSupportedException();

    public Task<ListConsumerGroupsResult> ListConsumerGroupsAsync(ListConsumerGroupsOptions? options = null) => throw new NotSupportedException();

    public GroupInfo ListGroup(string group, TimeSpan timeout) => throw new NotSupportedException();

    public List<GroupInfo> ListGroups(TimeSpan timeout) => throw new NotSupportedException();

    public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();

    public void Dispose()
    {
    }
}
