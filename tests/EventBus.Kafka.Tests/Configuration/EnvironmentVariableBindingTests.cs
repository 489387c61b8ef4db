using Confluent.Kafka;
using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.Tests.Configuration;

public sealed class EnvironmentVariableBindingTests
{
    // Every variable of the contract: (name, an override, a getter showing the bound value, the default, the override's value).
    public static TheoryData<string, string, string, string> Overrides => new()
    {
        { "KAFKA_SECURITY_PROTOCOL", "SASL_SSL", nameof(KafkaConnectionOptions.SecurityProtocol), "SaslSsl" },
        { "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", nameof(KafkaConnectionOptions.SaslMechanism), "ScramSha512" },
        { "KAFKA_SASL_USERNAME", "svc-user", nameof(KafkaConnectionOptions.SaslUsername), "svc-user" },
        { "AWS_REGION", "eu-west-1", nameof(KafkaConnectionOptions.AwsRegion), "eu-west-1" },
        { "KAFKA_PRODUCER_ACKS", "all", nameof(KafkaProducerOptions.Acks), "All" },
        { "KAFKA_PRODUCER_COMPRESSION_TYPE", "zstd", nameof(KafkaProducerOptions.CompressionType), "Zstd" },
        { "KAFKA_PRODUCER_LINGER_MS", "20", nameof(KafkaProducerOptions.LingerMs), "20" },
        { "KAFKA_PRODUCER_RETRY_BACKOFF_MS", "250", nameof(KafkaProducerOptions.RetryBackoffMs), "250" },
        { "KAFKA_PRODUCER_FLUSH_TIMEOUT", "7", nameof(KafkaProducerOptions.FlushTimeout), "00:00:07" },
        { "KAFKA_PRODUCER_CLOSE_TIMEOUT", "2.5", nameof(KafkaProducerOptions.CloseTimeout), "00:00:02.5000000" },
        { "KAFKA_CONSUMER_GROUP", "orders-group", nameof(KafkaConsumerOptions.GroupId), "orders-group" },
        { "KAFKA_CONSUMER_AUTO_OFFSET_RESET", "latest", nameof(KafkaConsumerOptions.AutoOffsetReset), "Latest" },
        { "KAFKA_CONSUMER_MAX_POLL_RECORDS", "100", nameof(KafkaConsumerOptions.MaxPollRecords), "100" },
        { "KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "600000", nameof(KafkaConsumerOptions.MaxPollIntervalMs), "600000" },
        { "KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "30000", nameof(KafkaConsumerOptions.SessionTimeoutMs), "30000" },
        { "KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "3000", nameof(KafkaConsumerOptions.HeartbeatIntervalMs), "3000" },
        { "KAFKA_CONSUMER_FETCH_MIN_BYTES", "1024", nameof(KafkaConsumerOptions.FetchMinBytes), "1024" },
        { "KAFKA_CONSUMER_FETCH_WAIT_MAX_MS", "100", nameof(KafkaConsumerOptions.FetchWaitMaxMs), "100" },
        { "KAFKA_TOPIC_AUTO_CREATE", "false", nameof(KafkaTopicOptions.AutoCreate), "False" },
        { "KAFKA_TOPIC_CREATION_TIMEOUT", "60", nameof(KafkaTopicOptions.CreationTimeout), "00:01:00" },
        { "KAFKA_TOPIC_CREATION_RETRIES", "5", nameof(KafkaTopicOptions.CreationRetries), "5" },
        { "KAFKA_TOPIC_CREATION_RETRY_DELAY", "1", nameof(KafkaTopicOptions.CreationRetryDelay), "00:00:01" },
    };

    // (name, the default the bound options show).
    public static TheoryData<string, string> Defaults => new()
    {
        { nameof(KafkaConnectionOptions.GetEffectiveSecurityProtocol), "Ssl" },
        { nameof(KafkaConnectionOptions.SaslMechanism), "" },
        { nameof(KafkaConnectionOptions.SaslUsername), "" },
        { nameof(KafkaConnectionOptions.AwsRegion), "" },
        { nameof(KafkaProducerOptions.Acks), "All" },
        { nameof(KafkaProducerOptions.CompressionType), "Snappy" },
        { nameof(KafkaProducerOptions.LingerMs), "5" },
        { nameof(KafkaProducerOptions.RetryBackoffMs), "100" },
        { nameof(KafkaProducerOptions.FlushTimeout), "00:00:05" },
        { nameof(KafkaProducerOptions.CloseTimeout), "00:00:10" },
        { nameof(KafkaConsumerOptions.GroupId), "" },
        { nameof(KafkaConsumerOptions.AutoOffsetReset), "Earliest" },
        { nameof(KafkaConsumerOptions.EnableAutoCommit), "False" },
        { nameof(KafkaConsumerOptions.MaxPollRecords), "500" },
        { nameof(KafkaConsumerOptions.MaxPollIntervalMs), "1800000" },
        { nameof(KafkaConsumerOptions.SessionTimeoutMs), "45000" },
        { nameof(KafkaConsumerOptions.HeartbeatIntervalMs), "15000" },
        { nameof(KafkaConsumerOptions.FetchMinBytes), "1" },
        { nameof(KafkaConsumerOptions.FetchWaitMaxMs), "500" },
        { nameof(KafkaTopicOptions.AutoCreate), "True" },
        { nameof(KafkaTopicOptions.CreationTimeout), "00:00:30" },
        { nameof(KafkaTopicOptions.CreationRetries), "3" },
        { nameof(KafkaTopicOptions.CreationRetryDelay), "00:00:02" },
    };

    // (variable, invalid value): each must fail with a message naming the variable.
    public static TheoryData<string, string> InvalidValues => new()
    {
        { "KAFKA_SECURITY_PROTOCOL", "TLS" },
        { "KAFKA_USE_SSL", "maybe" },
        { "KAFKA_SASL_MECHANISM", "GSSAPI" },
        { "KAFKA_PRODUCER_ACKS", "2" },
        { "KAFKA_PRODUCER_COMPRESSION_TYPE", "brotli" },
        { "KAFKA_PRODUCER_LINGER_MS", "five" },
        { "KAFKA_PRODUCER_LINGER_MS", "-1" },
        { "KAFKA_PRODUCER_RETRY_BACKOFF_MS", "1e3" },
        { "KAFKA_PRODUCER_FLUSH_TIMEOUT", "soon" },
        { "KAFKA_PRODUCER_FLUSH_TIMEOUT", "0" },
        { "KAFKA_PRODUCER_CLOSE_TIMEOUT", "-3" },
        { "KAFKA_CONSUMER_AUTO_OFFSET_RESET", "beginning" },
        { "KAFKA_CONSUMER_ENABLE_AUTO_COMMIT", "sometimes" },
        { "KAFKA_CONSUMER_MAX_POLL_RECORDS", "0" },
        { "KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "lots" },
        { "KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "-45000" },
        { "KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "x" },
        { "KAFKA_CONSUMER_FETCH_MIN_BYTES", "0" },
        { "KAFKA_CONSUMER_FETCH_WAIT_MAX_MS", "-5" },
        { "KAFKA_TOPIC_AUTO_CREATE", "yep" },
        { "KAFKA_TOPIC_CREATION_TIMEOUT", "0" },
        { "KAFKA_TOPIC_CREATION_RETRIES", "-1" },
        { "KAFKA_TOPIC_CREATION_RETRY_DELAY", "later" },
        { "KAFKA_TOPIC_ORDERS", "orders topic" },
        { "KAFKA_TOPIC_ORDERS_PARTITIONS", "many" },
        { "KAFKA_TOPIC_ORDERS_REPLICATION", "0" },
        { "KAFKA_TOPIC_ORDERS_TIER", "gold" },
        { "KAFKA_TOPIC_ORDERS_RETENTION_MS", "forever" },
        { "KAFKA_TOPIC_ORDERS_MIN_INSYNC_REPLICAS", "0" },
        { "SSL_CA_LOCATION", "/nonexistent/ca.pem" },
        { "KAFKA_SSL_CAFILE", "/nonexistent/ca.pem" },
        { "KAFKA_SSL_CERTFILE", "/nonexistent/cert.pem" },
        { "KAFKA_SSL_KEYFILE", "/nonexistent/key.pem" },
    };

    [Theory]
    [MemberData(nameof(Overrides))]
    public void Bind_VariableSet_OverridesDefault(string variable, string value, string property, string expected)
    {
        var variables = Variables.With((variable, value));
        if (variable == "KAFKA_SASL_MECHANISM" || variable == "KAFKA_SASL_USERNAME")
        {
            variables["KAFKA_SASL_MECHANISM"] = "SCRAM-SHA-512";
            variables["KAFKA_SASL_USERNAME"] = "svc-user";
            variables["KAFKA_SASL_PASSWORD"] = "s3cret";
        }

        if (variable == "KAFKA_SECURITY_PROTOCOL")
        {
            variables["KAFKA_SASL_MECHANISM"] = "PLAIN";
            variables["KAFKA_SASL_USERNAME"] = "svc-user";
            variables["KAFKA_SASL_PASSWORD"] = "s3cret";
        }

        if (variable == "KAFKA_CONSUMER_SESSION_TIMEOUT_MS")
        {
            variables["KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS"] = "10000";
        }

        if (variable == "KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS")
        {
            variables["KAFKA_CONSUMER_SESSION_TIMEOUT_MS"] = "45000";
        }

        var options = EventBusOptions.FromVariables(variables);

        Assert.Equal(expected, Read(options, property));
    }

    [Theory]
    [MemberData(nameof(Defaults))]
    public void Bind_OnlyRequiredVariables_UsesDesignDefaults(string property, string expected)
    {
        var options = EventBusOptions.FromVariables(Variables.Required());

        Assert.Equal(expected, Read(options, property));
    }

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void FromVariables_InvalidValue_MessageNamesTheVariable(string variable, string value)
    {
        var variables = Variables.With((variable, value));
        if (variable.StartsWith("KAFKA_TOPIC_ORDERS_", StringComparison.Ordinal))
        {
            variables["KAFKA_TOPIC_ORDERS"] = "orders";
        }

        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(variables));

        Assert.Contains(ex.Problems, p => p.Variable == variable);
        Assert.Contains(variable, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromVariables_Required_BootstrapAndServiceNameBound()
    {
        var options = EventBusOptions.FromVariables(Variables.Required());

        Assert.Equal("broker-1:9092,broker-2:9092", options.Connection.BootstrapServers);
        Assert.Equal("orders", options.Connection.ServiceName);
    }

    [Fact]
    public void FromVariables_NothingSet_OneExceptionNamesBothRequiredVariables()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(new Dictionary<string, string?>()));

        Assert.Equal(["KAFKA_BOOTSTRAP_SERVERS", "SERVICE_NAME"], ex.Problems.Select(p => p.Variable).Order().ToArray());
        Assert.Contains("KAFKA_BOOTSTRAP_SERVERS", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SERVICE_NAME", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromVariables_ManyProblems_AllListedInOneException()
    {
        var variables = new Dictionary<string, string?>
        {
            ["KAFKA_PRODUCER_LINGER_MS"] = "abc",
            ["KAFKA_PRODUCER_ACKS"] = "1",
            ["KAFKA_PRODUCER_COMPRESSION_TYPE"] = "brotli",
            ["KAFKA_SECURITY_PROTOCOL"] = "TLS",
        };

        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(variables));

        Assert.Equal(
            ["KAFKA_BOOTSTRAP_SERVERS", "KAFKA_PRODUCER_ACKS", "KAFKA_PRODUCER_COMPRESSION_TYPE", "KAFKA_PRODUCER_LINGER_MS", "KAFKA_SECURITY_PROTOCOL", "SERVICE_NAME"],
            ex.Problems.Select(p => p.Variable).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void FromVariables_EmptyValue_CountsAsNotSet()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_PRODUCER_LINGER_MS", ""), ("KAFKA_SECURITY_PROTOCOL", " ")));

        Assert.Equal(5, options.Producer.LingerMs);
        Assert.Equal(SecurityProtocol.Ssl, options.Connection.GetEffectiveSecurityProtocol());
    }

    [Theory]
    [InlineData("true", SecurityProtocol.Ssl)]
    [InlineData("false", SecurityProtocol.Plaintext)]
    [InlineData("TRUE", SecurityProtocol.Ssl)]
    public void UseSslAlias_WithoutSecurityProtocol_SetsProtocol(string value, SecurityProtocol expected)
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_USE_SSL", value)));

        Assert.Equal(expected, options.Connection.GetEffectiveSecurityProtocol());
    }

    [Fact]
    public void UseSslAlias_ContradictingSecurityProtocol_NamesTheAlias()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() =>
            EventBusOptions.FromVariables(Variables.With(("KAFKA_USE_SSL", "true"), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"))));

        Assert.Contains(ex.Problems, p => p.Variable == "KAFKA_USE_SSL" && p.Message.Contains("KAFKA_SECURITY_PROTOCOL", StringComparison.Ordinal));
    }

    [Fact]
    public void UseSslAlias_AgreeingWithSecurityProtocol_Accepted()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_USE_SSL", "false"), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")));

        Assert.Equal(SecurityProtocol.Plaintext, options.Connection.SecurityProtocol);
    }

    [Fact]
    public void SaslMechanism_WithoutSecurityProtocol_DefaultsToSaslSsl()
    {
        var options = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_SASL_MECHANISM", "PLAIN"), ("KAFKA_SASL_USERNAME", "u"), ("KAFKA_SASL_PASSWORD", "p")));

        Assert.Equal(SecurityProtocol.SaslSsl, options.Connection.GetEffectiveSecurityProtocol());
    }

    [Fact]
    public void SslCaLocation_DefaultAndBothNames_Bound()
    {
        using var ca = new TempFile();
        Assert.Null(EventBusOptions.FromVariables(Variables.Required()).Connection.SslCaLocation);
        Assert.Equal("/etc/ssl/certs/ca-certificates.crt", KafkaConnectionOptions.DefaultSslCaLocation);

        Assert.Equal(ca.Path, EventBusOptions.FromVariables(Variables.With(("SSL_CA_LOCATION", ca.Path))).Connection.SslCaLocation);
        Assert.Equal(ca.Path, EventBusOptions.FromVariables(Variables.With(("KAFKA_SSL_CAFILE", ca.Path))).Connection.SslCaLocation);
    }

    [Fact]
    public void SslCaLocation_AliasNamingAnotherFile_Conflict()
    {
        using var a = new TempFile();
        using var b = new TempFile();

        var ex = Assert.Throws<EventBusConfigurationException>(() =>
            EventBusOptions.FromVariables(Variables.With(("SSL_CA_LOCATION", a.Path), ("KAFKA_SSL_CAFILE", b.Path))));

        Assert.Contains(ex.Problems, p => p.Variable == "KAFKA_SSL_CAFILE");
    }

    [Fact]
    public void MutualTls_CertificateKeyAndPassword_Bound()
    {
        using var cert = new TempFile();
        using var key = new TempFile();

        var options = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_SSL_CERTFILE", cert.Path), ("KAFKA_SSL_KEYFILE", key.Path), ("KAFKA_SSL_PASSWORD", "key-pass")));

        Assert.Equal(cert.Path, options.Connection.SslCertificateLocation);
        Assert.Equal(key.Path, options.Connection.SslKeyLocation);
        Assert.Equal("key-pass", options.Connection.SslKeyPassword);
    }

    [Fact]
    public void MutualTls_CertificateWithoutKey_NamesKeyVariable()
    {
        using var cert = new TempFile();

        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(("KAFKA_SSL_CERTFILE", cert.Path))));

        Assert.Contains(ex.Problems, p => p.Variable == "KAFKA_SSL_KEYFILE");
    }

    [Theory]
    [InlineData("PLAIN", KafkaSaslMechanism.Plain)]
    [InlineData("SCRAM-SHA-256", KafkaSaslMechanism.ScramSha256)]
    [InlineData("scram-sha-512", KafkaSaslMechanism.ScramSha512)]
    public void SaslMechanism_PlainAndScram_NeedUserAndPassword(string value, KafkaSaslMechanism expected)
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(("KAFKA_SASL_MECHANISM", value))));
        Assert.Equal(["KAFKA_SASL_PASSWORD", "KAFKA_SASL_USERNAME"], ex.Problems.Select(p => p.Variable).Order(StringComparer.Ordinal).ToArray());

        var options = EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_SASL_MECHANISM", value), ("KAFKA_SASL_USERNAME", "u"), ("KAFKA_SASL_PASSWORD", "p")));
        Assert.Equal(expected, options.Connection.SaslMechanism);
        Assert.Equal("p", options.Connection.SaslPassword);
    }

    [Fact]
    public void AwsMskIam_WithoutRegion_NamesAwsRegion()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(("KAFKA_SASL_MECHANISM", "AWS_MSK_IAM"))));

        Assert.Contains(ex.Problems, p => p.Variable == "AWS_REGION");
    }

    [Fact]
    public void SaslMechanism_WithSslProtocol_NamesSecurityProtocol()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_SECURITY_PROTOCOL", "SSL"), ("KAFKA_SASL_MECHANISM", "PLAIN"), ("KAFKA_SASL_USERNAME", "u"), ("KAFKA_SASL_PASSWORD", "p"))));

        Assert.Contains(ex.Problems, p => p.Variable == "KAFKA_SECURITY_PROTOCOL");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    public void Acks_OtherThanAll_ConflictsWithIdempotence(string acks)
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => EventBusOptions.FromVariables(Variables.With(("KAFKA_PRODUCER_ACKS", acks))));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("KAFKA_PRODUCER_ACKS", problem.Variable);
        Assert.Contains("idempoten", problem.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_PRODUCER_ACKS=all", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("none", CompressionType.None)]
    [InlineData("gzip", CompressionType.Gzip)]
    [InlineData("snappy", CompressionType.Snappy)]
    [InlineData("LZ4", CompressionType.Lz4)]
    [InlineData("zstd", CompressionType.Zstd)]
    public void CompressionType_EachCodec_Bound(string value, CompressionType expected)
    {
        Assert.Equal(expected, EventBusOptions.FromVariables(Variables.With(("KAFKA_PRODUCER_COMPRESSION_TYPE", value))).Producer.CompressionType);
    }

    [Theory]
    [InlineData("15000", "15000")]
    [InlineData("20000", "15000")]
    public void Heartbeat_NotBelowSessionTimeout_NamesHeartbeat(string heartbeat, string session)
    {
        var options = new EventBusOptions();
        EnvironmentVariableBinder.Bind(options, Variables.With(
            ("KAFKA_CONSUMER_GROUP", "g"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", heartbeat), ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", session)));

        var problems = EventBusOptionsValidator.Collect(options, EventBusClientKinds.Consumer);

        var problem = Assert.Single(problems);
        Assert.Equal("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", problem.Variable);
        Assert.Contains("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("1")]
    public void EnableAutoCommit_True_Rejected(string value)
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() =>
            EventBusOptions.FromVariables(Variables.With(("KAFKA_CONSUMER_ENABLE_AUTO_COMMIT", value))));

        Assert.Equal("KAFKA_CONSUMER_ENABLE_AUTO_COMMIT", Assert.Single(ex.Problems).Variable);
    }

    [Fact]
    public void EnableAutoCommit_False_Accepted()
    {
        Assert.False(EventBusOptions.FromVariables(Variables.With(("KAFKA_CONSUMER_ENABLE_AUTO_COMMIT", "false"))).Consumer.EnableAutoCommit);
    }

    [Fact]
    public void ConsumerGroup_MissingForConsumer_NamesVariable_ButNotForProducer()
    {
        var options = EventBusOptions.FromVariables(Variables.Required());

        var problems = EventBusOptionsValidator.Collect(options, EventBusClientKinds.Consumer);

        Assert.Equal("KAFKA_CONSUMER_GROUP", Assert.Single(problems).Variable);
        Assert.Empty(EventBusOptionsValidator.Collect(options, EventBusClientKinds.Producer));
    }

    [Fact]
    public void BootstrapServers_NotHostPort_Rejected()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() =>
            EventBusOptions.FromVariables(Variables.With(("KAFKA_BOOTSTRAP_SERVERS", "broker-1:9092,broker-2"))));

        Assert.Contains("broker-2", Assert.Single(ex.Problems).Message, StringComparison.Ordinal);
    }

    private static string Read(EventBusOptions options, string property)
    {
        foreach (var target in new object[] { options.Connection, options.Producer, options.Consumer, options.Topics })
        {
            var value = target.GetType().GetProperty(property)?.GetValue(target) ?? target.GetType().GetMethod(property)?.Invoke(target, null);
            if (value is not null || target.GetType().GetProperty(property) is not null)
            {
                return value switch
                {
                    null => "",
                    TimeSpan t => t.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
                    var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
                };
            }
        }

        throw new ArgumentException($"No option property {property}.", nameof(property));
    }
}
