namespace EventBus.Kafka.Configuration;

/// <summary>
/// The names of the environment variables EventBus reads. They are a contract: a container image
/// configured with them runs unchanged against a laptop broker, staging and AWS MSK.
/// </summary>
/// <remarks>
/// Per-topic variables are built from a logical topic key: <c>KAFKA_TOPIC_{KEY}</c> names the topic and
/// <c>KAFKA_TOPIC_{KEY}{suffix}</c> overrides one of its settings, where the suffix is one of
/// <see cref="TopicPartitionsSuffix"/>, <see cref="TopicReplicationSuffix"/>, <see cref="TopicTierSuffix"/>,
/// <see cref="TopicRetentionMsSuffix"/> or <see cref="TopicMinInsyncReplicasSuffix"/>.
/// </remarks>
public static class EventBusEnvironmentVariables
{
    /// <summary>Comma-separated <c>host:port</c> list. Required.</summary>
    public const string BootstrapServers = "KAFKA_BOOTSTRAP_SERVERS";

    /// <summary>The service name: client.id prefix, <c>source</c> header, default DLQ name. Required.</summary>
    public const string ServiceName = "SERVICE_NAME";

    /// <summary>PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. The default is SSL (SASL_SSL when a SASL mechanism is set).</summary>
    public const string SecurityProtocol = "KAFKA_SECURITY_PROTOCOL";

    /// <summary>Older alias of <see cref="SecurityProtocol"/>: <c>true</c> means SSL, <c>false</c> means PLAINTEXT.</summary>
    public const string UseSsl = "KAFKA_USE_SSL";

    /// <summary>The CA bundle used to verify the brokers' certificates.</summary>
    public const string SslCaLocation = "SSL_CA_LOCATION";

    /// <summary>Alias of <see cref="SslCaLocation"/>.</summary>
    public const string SslCaFile = "KAFKA_SSL_CAFILE";

    /// <summary>Client certificate (PEM) for mutual TLS.</summary>
    public const string SslCertificateFile = "KAFKA_SSL_CERTFILE";

    /// <summary>Client private key (PEM) for mutual TLS.</summary>
    public const string SslKeyFile = "KAFKA_SSL_KEYFILE";

    /// <summary>Password of the client private key. A secret: never logged.</summary>
    public const string SslKeyPassword = "KAFKA_SSL_PASSWORD";

    /// <summary>PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or AWS_MSK_IAM.</summary>
    public const string SaslMechanism = "KAFKA_SASL_MECHANISM";

    /// <summary>SASL user name for PLAIN and SCRAM.</summary>
    public const string SaslUsername = "KAFKA_SASL_USERNAME";

    /// <summary>SASL password for PLAIN and SCRAM. A secret: never logged.</summary>
    public const string SaslPassword = "KAFKA_SASL_PASSWORD";

    /// <summary>AWS region for AWS_MSK_IAM.</summary>
    public const string AwsRegion = "AWS_REGION";

    /// <summary>Prefix of the topic variables: <c>KAFKA_TOPIC_{KEY}</c> names the topic of a logical key.</summary>
    public const string TopicPrefix = "KAFKA_TOPIC_";

    /// <summary>Per-topic suffix: partition count.</summary>
    public const string TopicPartitionsSuffix = "_PARTITIONS";

    /// <summary>Per-topic suffix: replication factor.</summary>
    public const string TopicReplicationSuffix = "_REPLICATION";

    /// <summary>Per-topic suffix: tier (standard, error or dlq).</summary>
    public const string TopicTierSuffix = "_TIER";

    /// <summary>Per-topic suffix: retention.ms.</summary>
    public const string TopicRetentionMsSuffix = "_RETENTION_MS";

    /// <summary>Per-topic suffix: min.insync.replicas.</summary>
    public const string TopicMinInsyncReplicasSuffix = "_MIN_INSYNC_REPLICAS";

    /// <summary>Provision missing topics at start-up (true or false).</summary>
    public const string TopicAutoCreate = "KAFKA_TOPIC_AUTO_CREATE";

    /// <summary>Timeout of one admin operation, in seconds.</summary>
    public const string TopicCreationTimeout = "KAFKA_TOPIC_CREATION_TIMEOUT";

    /// <summary>Retries of a retriable admin failure.</summary>
    public const string TopicCreationRetries = "KAFKA_TOPIC_CREATION_RETRIES";

    /// <summary>Delay between admin retries, in seconds.</summary>
    public const string TopicCreationRetryDelay = "KAFKA_TOPIC_CREATION_RETRY_DELAY";

    /// <summary>Producer acks: all, 1 or 0.</summary>
    public const string ProducerAcks = "KAFKA_PRODUCER_ACKS";

    /// <summary>Producer compression: none, gzip, snappy, lz4 or zstd.</summary>
    public const string ProducerCompressionType = "KAFKA_PRODUCER_COMPRESSION_TYPE";

    /// <summary>Producer linger.ms.</summary>
    public const string ProducerLingerMs = "KAFKA_PRODUCER_LINGER_MS";

    /// <summary>Producer retry.backoff.ms.</summary>
    public const string ProducerRetryBackoffMs = "KAFKA_PRODUCER_RETRY_BACKOFF_MS";

    /// <summary>How long a synchronous publish waits for its acknowledgement, in seconds.</summary>
    public const string ProducerFlushTimeout = "KAFKA_PRODUCER_FLUSH_TIMEOUT";

    /// <summary>How long disposing the producer flushes, in seconds.</summary>
    public const string ProducerCloseTimeout = "KAFKA_PRODUCER_CLOSE_TIMEOUT";

    /// <summary>Consumer group.id. Required for consumers.</summary>
    public const string ConsumerGroup = "KAFKA_CONSUMER_GROUP";

    /// <summary>Consumer auto.offset.reset: earliest or latest.</summary>
    public const string ConsumerAutoOffsetReset = "KAFKA_CONSUMER_AUTO_OFFSET_RESET";

    /// <summary>Only <c>false</c> is accepted: commits are the library's job.</summary>
    public const string ConsumerEnableAutoCommit = "KAFKA_CONSUMER_ENABLE_AUTO_COMMIT";

    /// <summary>In-flight bound and batch size of the consumer.</summary>
    public const string ConsumerMaxPollRecords = "KAFKA_CONSUMER_MAX_POLL_RECORDS";

    /// <summary>Consumer max.poll.interval.ms.</summary>
    public const string ConsumerMaxPollIntervalMs = "KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS";

    /// <summary>Consumer session.timeout.ms.</summary>
    public const string ConsumerSessionTimeoutMs = "KAFKA_CONSUMER_SESSION_TIMEOUT_MS";

    /// <summary>Consumer heartbeat.interval.ms; must be below the session timeout.</summary>
    public const string ConsumerHeartbeatIntervalMs = "KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS";

    /// <summary>Consumer fetch.min.bytes.</summary>
    public const string ConsumerFetchMinBytes = "KAFKA_CONSUMER_FETCH_MIN_BYTES";

    /// <summary>Consumer fetch.wait.max.ms.</summary>
    public const string ConsumerFetchWaitMaxMs = "KAFKA_CONSUMER_FETCH_WAIT_MAX_MS";

    /// <summary>How many records a consumer handles at once; when set, wins over <c>EventConsumerOptions.MaxConcurrency</c>.</summary>
    public const string ConsumerMaxConcurrency = "KAFKA_CONSUMER_MAX_CONCURRENCY";

    /// <summary>A consumer's order guarantee, <c>partition</c> or <c>key</c>; when set, wins over <c>EventConsumerOptions.Ordering</c>.</summary>
    public const string ConsumerOrdering = "KAFKA_CONSUMER_ORDERING";

    /// <summary>Exactly-once read-process-write (<c>true</c>/<c>false</c>); when set, wins over <c>EventConsumerOptions.ExactlyOnce</c>.</summary>
    public const string ConsumerExactlyOnce = "KAFKA_CONSUMER_EXACTLY_ONCE";

    /// <summary>The longest commit cycle of exactly-once mode, in milliseconds; when set, wins over <c>EventConsumerOptions.TransactionInterval</c>.</summary>
    public const string ConsumerTransactionIntervalMs = "KAFKA_CONSUMER_TRANSACTION_INTERVAL_MS";

    /// <summary>Completed records that end a commit cycle of exactly-once mode early; when set, wins over <c>EventConsumerOptions.TransactionMaxRecords</c>.</summary>
    public const string ConsumerTransactionMaxRecords = "KAFKA_CONSUMER_TRANSACTION_MAX_RECORDS";

    /// <summary>Retries in place before a record is dead-lettered; when set, wins over <c>EventConsumerOptions.MaxRetries</c>.</summary>
    public const string ConsumerMaxRetries = "KAFKA_CONSUMER_MAX_RETRIES";

    /// <summary>Delay before the first retry, in milliseconds; when set, wins over <c>EventConsumerOptions.RetryBaseDelay</c>.</summary>
    public const string ConsumerRetryBackoffMs = "KAFKA_CONSUMER_RETRY_BACKOFF_MS";

    /// <summary>Longest delay between retries, in milliseconds; when set, wins over <c>EventConsumerOptions.RetryMaxDelay</c>.</summary>
    public const string ConsumerRetryMaxBackoffMs = "KAFKA_CONSUMER_RETRY_MAX_BACKOFF_MS";

    /// <summary>Consumer statistics.interval.ms, the source of the consumer lag gauge; 0 turns statistics off.</summary>
    public const string ConsumerStatisticsIntervalMs = "KAFKA_CONSUMER_STATISTICS_INTERVAL_MS";

    /// <summary>The variable that names the topic of a logical key, e.g. <c>KAFKA_TOPIC_STAGE_COMPLETE</c>.</summary>
    /// <param name="topicKey">The logical topic key, in any case.</param>
    /// <returns>The variable name.</returns>
    public static string ForTopic(string topicKey)
    {
        ArgumentNullException.ThrowIfNull(topicKey);
        return TopicPrefix + NormalizeTopicKey(topicKey);
    }

    /// <summary>Upper-cases a logical topic key and turns <c>-</c>, <c>.</c> and spaces into <c>_</c>, as in its variable name.</summary>
    internal static string NormalizeTopicKey(string topicKey)
    {
        var chars = topicKey.Trim().ToUpperInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is '-' or '.' or ' ')
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }
}
