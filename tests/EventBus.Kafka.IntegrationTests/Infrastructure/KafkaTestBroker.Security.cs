using Confluent.Kafka;
using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>The broker's secured listeners, ACLs, admin tools and single-broker stop/start (the Kafka kit's).</summary>
public sealed partial class KafkaTestBroker
{
    /// <summary>The <c>KAFKA_*</c> variables a service sets to reach this broker through a listener, as the README documents them.</summary>
    /// <param name="listener">The listener.</param>
    /// <param name="user">A SASL user other than the kit's own (from <see cref="CreateScramUserAsync"/>).</param>
    /// <returns>The bootstrap servers, the security protocol, the CA, the credentials or the client certificate.</returns>
    public IReadOnlyList<(string Name, string Value)> SecurityVariables(TestListener listener, KitUser? user = null)
    {
        if (listener == TestListener.Plaintext)
        {
            return [("KAFKA_BOOTSTRAP_SERVERS", BootstrapServers), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")];
        }

        Require(CapabilityOf(listener), $"Connecting through the {listener} listener");
        var kit = Kit!;
        return listener switch
        {
            TestListener.Ssl => [("KAFKA_BOOTSTRAP_SERVERS", kit.Get("BOOTSTRAP_SSL")), ("KAFKA_SECURITY_PROTOCOL", "SSL"), ("SSL_CA_LOCATION", kit.Get("CA_PEM"))],
            TestListener.SaslSsl =>
            [
                ("KAFKA_BOOTSTRAP_SERVERS", kit.Get("BOOTSTRAP_SASL_SSL")), ("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"), ("SSL_CA_LOCATION", kit.Get("CA_PEM")),
                ("KAFKA_SASL_MECHANISM", kit.Find("SASL_MECHANISM") ?? "SCRAM-SHA-512"),
                ("KAFKA_SASL_USERNAME", user?.Name ?? kit.Get("SASL_USERNAME")), ("KAFKA_SASL_PASSWORD", user?.Password ?? kit.Get("SASL_PASSWORD")),
            ],
            TestListener.SaslPlaintext =>
            [
                ("KAFKA_BOOTSTRAP_SERVERS", kit.Get("BOOTSTRAP_SASL_PLAINTEXT")), ("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"),
                ("KAFKA_SASL_MECHANISM", kit.Find("SASL_MECHANISM") ?? "SCRAM-SHA-512"),
                ("KAFKA_SASL_USERNAME", user?.Name ?? kit.Get("SASL_USERNAME")), ("KAFKA_SASL_PASSWORD", user?.Password ?? kit.Get("SASL_PASSWORD")),
            ],
            _ =>
            [
                ("KAFKA_BOOTSTRAP_SERVERS", kit.Get("BOOTSTRAP_MTLS")), ("KAFKA_SECURITY_PROTOCOL", "SSL"), ("SSL_CA_LOCATION", kit.Get("CA_PEM")),
                ("KAFKA_SSL_CERTFILE", kit.Get("CLIENT_CERT_PEM")), ("KAFKA_SSL_KEYFILE", kit.Get("CLIENT_KEY_PEM")), ("KAFKA_SSL_PASSWORD", kit.Get("CLIENT_KEY_PASSWORD")),
            ],
        };
    }

    /// <summary>The principal the broker's authorizer sees for clients of a listener, for ACLs.</summary>
    /// <param name="listener">The listener.</param>
    /// <param name="user">The SASL user, when not the kit's own.</param>
    /// <returns>E.g. <c>User:ANONYMOUS</c>, <c>User:test-user</c>, <c>User:CN=test-client</c>.</returns>
    public string PrincipalOf(TestListener listener, KitUser? user = null) => listener switch
    {
        TestListener.Plaintext or TestListener.Ssl => "User:ANONYMOUS",
        TestListener.SaslSsl or TestListener.SaslPlaintext => "User:" + (user?.Name ?? Kit!.Get("SASL_USERNAME")),
        _ => Kit!.Get("MTLS_PRINCIPAL"),
    };

    /// <summary>Options for a listener of this broker, as a service would get them from its environment.</summary>
    /// <param name="listener">The listener.</param>
    /// <param name="serviceName">The service name.</param>
    /// <param name="extra">More variables (they win over the listener's, e.g. <c>KAFKA_SASL_MECHANISM</c>).</param>
    /// <returns>Validated options.</returns>
    public EventBusOptions CreateOptions(TestListener listener, string serviceName, params (string Name, string Value)[] extra) =>
        CreateOptions(listener, null, serviceName, extra);

    /// <summary>Options for a listener of this broker with a SASL user of the test's own.</summary>
    /// <param name="listener">The listener.</param>
    /// <param name="user">The SASL user, or <see langword="null"/> for the kit's.</param>
    /// <param name="serviceName">The service name.</param>
    /// <param name="extra">More variables.</param>
    /// <returns>Validated options.</returns>
    public EventBusOptions CreateOptions(TestListener listener, KitUser? user, string serviceName, params (string Name, string Value)[] extra)
    {
        var variables = SecurityVariables(listener, user).ToDictionary(v => v.Name, v => (string?)v.Value, StringComparer.Ordinal);
        variables["SERVICE_NAME"] = serviceName;
        foreach (var (name, value) in extra)
        {
            variables[name] = value;
        }

        return EventBusOptions.FromVariables(variables);
    }

    /// <summary>Runs an admin tool of the kit (kafka-topics, kafka-configs, kafka-acls...), failing the test unless it exits 0.</summary>
    /// <param name="tool">The tool, e.g. <c>kafka-configs.sh</c>.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>Its standard output.</returns>
    public Task<string> RunKitToolAsync(string tool, params string[] args)
    {
        Require(BrokerCapabilities.AdminTools, $"Running {tool}");
        return Kit!.ToolAsync(tool, args);
    }

    /// <summary>
    /// Adds a DENY ACL through <c>kafka-acls</c>. Each broker applies it a moment later (through ZooKeeper): probe
    /// until it is enforced before relying on it.
    /// </summary>
    /// <param name="principal">The principal, e.g. from <see cref="PrincipalOf"/>.</param>
    /// <param name="operation">The operation, e.g. <c>Write</c> or <c>Create</c>.</param>
    /// <param name="resource">The resource arguments, e.g. <c>--topic T</c> or <c>--cluster</c>.</param>
    /// <returns>A task.</returns>
    public Task DenyAsync(string principal, string operation, params string[] resource)
    {
        Require(BrokerCapabilities.Acls, "Adding an ACL");
        return Kit!.ToolAsync("kafka-acls.sh", ["--bootstrap-server", BootstrapServers, "--add", "--deny-principal", principal, "--operation", operation, .. resource]);
    }

    /// <summary>Removes a DENY ACL added by <see cref="DenyAsync"/>. Each broker drops it a moment later: probe until it is lifted before relying on it.</summary>
    /// <param name="principal">The principal.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="resource">The resource arguments, as given to <see cref="DenyAsync"/>.</param>
    /// <returns>A task.</returns>
    public Task RemoveDenyAsync(string principal, string operation, params string[] resource)
    {
        Require(BrokerCapabilities.Acls, "Removing an ACL");
        return Kit!.ToolAsync("kafka-acls.sh", ["--bootstrap-server", BootstrapServers, "--remove", "--force", "--deny-principal", principal, "--operation", operation, .. resource]);
    }

    /// <summary>Creates a SASL/SCRAM user (SHA-256 and SHA-512) no other test uses, and waits until every broker accepts it.</summary>
    /// <param name="prefix">A readable prefix of the user name.</param>
    /// <returns>The user; its password never appears in output.</returns>
    public async Task<KitUser> CreateScramUserAsync(string prefix)
    {
        Require(BrokerCapabilities.Sasl | BrokerCapabilities.AdminTools, "Creating a SASL user");
        var kit = Kit!;
        var user = new KitUser($"{prefix}-{Guid.NewGuid().ToString("N")[..8]}", Guid.NewGuid().ToString("N"));
        await kit.ToolAsync("kafka-configs.sh",
            ["--zookeeper", kit.ZookeeperConnect, "--alter", "--entity-type", "users", "--entity-name", user.Name,
             "--add-config", $"SCRAM-SHA-256=[password={user.Password}],SCRAM-SHA-512=[password={user.Password}]"],
            hideArguments: true).ConfigureAwait(false);

        // Each broker learns of the credential from ZooKeeper on its own; ask each one until it lets the user in.
        foreach (var address in kit.Get("BOOTSTRAP_SASL_SSL").Split(','))
        {
            var accepted = false;
            for (var attempt = 0; attempt < 10 && !accepted; attempt++)
            {
                var config = KafkaClientConfigFactory.CreateAdminClientConfig(CreateOptions(TestListener.SaslSsl, user, "itest-user-probe", ("KAFKA_BOOTSTRAP_SERVERS", address)));
                using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
                try
                {
                    admin.GetMetadata(TimeSpan.FromSeconds(3));
                    accepted = true;
                }
                catch (KafkaException)
                {
                    // Not yet known to this broker: the next attempt waits up to 3 s again.
                }
            }

            Assert.True(accepted, $"broker {address} did not accept the new SASL user {user.Name} within 30 s");
        }

        return user;
    }

    /// <summary>Stops one broker of the shared cluster (controlled shutdown). Use only in a collection that runs alone.</summary>
    /// <param name="id">The broker id (1..N).</param>
    /// <returns>A task.</returns>
    public Task StopBrokerAsync(int id)
    {
        Require(BrokerCapabilities.BrokerRestart, "Stopping a broker");
        return Kit!.StopBrokerAsync(id);
    }

    /// <summary>Starts a stopped broker again and waits until it is back in every ISR.</summary>
    /// <param name="id">The broker id.</param>
    /// <returns>A task.</returns>
    public Task StartBrokerAsync(int id)
    {
        Require(BrokerCapabilities.BrokerRestart, "Starting a broker");
        return Kit!.StartBrokerAsync(id, waitIsr: true);
    }

    private static BrokerCapabilities CapabilityOf(TestListener listener) => listener switch
    {
        TestListener.Ssl => BrokerCapabilities.Ssl,
        TestListener.SaslSsl or TestListener.SaslPlaintext => BrokerCapabilities.Sasl,
        TestListener.MutualTls => BrokerCapabilities.MutualTls,
        _ => BrokerCapabilities.None,
    };
}
