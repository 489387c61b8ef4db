namespace EventBus.Kafka.Testing;

/// <summary>Kafka protocol request types, for <see cref="MockKafkaCluster.PushRequestErrors"/>.</summary>
public enum KafkaApiKey : short
{
    /// <summary>ProduceRequest.</summary>
    Produce = 0,

    /// <summary>FetchRequest.</summary>
    Fetch = 1,

    /// <summary>ListOffsetsRequest.</summary>
    ListOffsets = 2,

    /// <summary>MetadataRequest.</summary>
    Metadata = 3,

    /// <summary>OffsetCommitRequest.</summary>
    OffsetCommit = 8,

    /// <summary>OffsetFetchRequest.</summary>
    OffsetFetch = 9,

    /// <summary>FindCoordinatorRequest.</summary>
    FindCoordinator = 10,

    /// <summary>JoinGroupRequest.</summary>
    JoinGroup = 11,

    /// <summary>HeartbeatRequest.</summary>
    Heartbeat = 12,

    /// <summary>LeaveGroupRequest.</summary>
    LeaveGroup = 13,

    /// <summary>SyncGroupRequest.</summary>
    SyncGroup = 14,

    /// <summary>ApiVersionsRequest.</summary>
    ApiVersions = 18,

    /// <summary>CreateTopicsRequest (the mock cluster does not implement it).</summary>
    CreateTopics = 19,

    /// <summary>InitProducerIdRequest (idempotent and transactional producers).</summary>
    InitProducerId = 22,
}
