using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Confluent.Kafka;
using EventBus.Kafka.Hosting.Tests.Infrastructure;

namespace EventBus.Kafka.Hosting.Tests.Samples;

/// <summary>Each sample run as a process, as a team would run it, against a mock cluster of the test's own.</summary>
public sealed class SampleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Quickstart_WithoutBootstrapServers_StartsItsOwnCluster_RunsToTheEnd_Exit0()
    {
        using var sample = TestHostProcess.StartSample("Quickstart", [], output);

        var exit = await sample.WaitForExitAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(0, exit);
        var text = sample.Output;
        Assert.Contains("started an embedded MockKafkaCluster", text, StringComparison.Ordinal);
        Assert.Contains("published order 5", text, StringComparison.Ordinal);
        Assert.Contains("handler: order 5", text, StringComparison.Ordinal);
        Assert.Contains("handler: order 3 refused (attempt 3)", text, StringComparison.Ordinal);
        Assert.Contains("kafka_dlt-exception-message: order 3 has no stock", text, StringComparison.Ordinal);
        Assert.Contains("RecordsDeadLettered = 1", text, StringComparison.Ordinal);
        Assert.Contains("Quickstart finished.", text, StringComparison.Ordinal);

        // The health report at the end: healthy, with the run's real counts (sent: 5 orders, the dead letter and its
        // error event; 4 of the 5 received handled, 1 given up on and dead-lettered).
        Assert.Contains("health (Healthy;", text, StringComparison.Ordinal);
        Assert.Contains("\"messages_sent\": 7", text, StringComparison.Ordinal);
        Assert.Contains("\"messages_processed\": 4", text, StringComparison.Ordinal);
        Assert.Contains("\"messages_received\": 5", text, StringComparison.Ordinal);
        Assert.Contains("\"messages_dead_lettered\": 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerService_AnOrderOnTheTopic_IsHandledAndConfirmed_SigtermExits0()
    {
        await using var cluster = TestCluster.Start();
        var confirmations = "confirmed-" + cluster.Suffix;
        cluster.Cluster.CreateTopic(confirmations, 3, 3);
        using var sample = TestHostProcess.StartSample("WorkerService", cluster.Variables(("KAFKA_TOPIC_ORDER_CONFIRMED", confirmations)), output);
        await sample.WaitForLineAsync(l => l.Contains("PartitionsAssigned", StringComparison.Ordinal) || l.Contains("partition(s) assigned", StringComparison.Ordinal), Patience, "the consumer's assignment");

        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.Cluster.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(cluster.OrdersTopic, new Message<string, string> { Key = "o-42", Value = """{"orderId":"o-42","amount":12.5}""" }, TestContext.Current.CancellationToken);
        }

        await sample.WaitForLineAsync(l => l.Contains("Order o-42 confirmed", StringComparison.Ordinal), Patience, "the order to be handled");
        var confirmation = ReadOne(cluster.Cluster.BootstrapServers, confirmations);
        Assert.Equal("o-42", confirmation.Message.Key);
        Assert.Equal("o-42", JsonDocument.Parse(confirmation.Message.Value).RootElement.GetProperty("orderId").GetString());

        sample.Terminate();
        Assert.Equal(0, await sample.WaitForExitAsync(Patience));
    }

    [Fact]
    public async Task WebApi_PostOrder_PublishesTheEvent_Returns202WithWhereItWasStored()
    {
        await using var cluster = TestCluster.Start();
        var port = FreePort();
        using var sample = TestHostProcess.StartSample("WebApi", cluster.Variables(("ASPNETCORE_URLS", $"http://127.0.0.1:{port}")), output);
        await sample.WaitForLineAsync(l => l.Contains("Now listening on", StringComparison.Ordinal), Patience, "the web server");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var response = await http.PostAsJsonAsync("/orders", new { orderId = "o-7", amount = 3.5m }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(cluster.OrdersTopic, body.GetProperty("topic").GetString());
        var stored = ReadOne(cluster.Cluster.BootstrapServers, cluster.OrdersTopic);
        Assert.Equal(("o-7", body.GetProperty("offset").GetInt64()), (stored.Message.Key, stored.Offset.Value));
        sample.Terminate();
        Assert.Equal(0, await sample.WaitForExitAsync(Patience));
    }

    [Fact]
    public async Task WebApi_HealthEndpoints_LiveReadyAndJsonOverHttp_ReadyFailsWithEveryBrokerDown()
    {
        await using var cluster = TestCluster.Start();
        var port = FreePort();
        using var sample = TestHostProcess.StartSample("WebApi", cluster.Variables(("ASPNETCORE_URLS", $"http://127.0.0.1:{port}")), output);
        await sample.WaitForLineAsync(l => l.Contains("Now listening on", StringComparison.Ordinal), Patience, "the web server");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var live = await http.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (live.StatusCode, await live.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        await UntilStatusAsync(http, "/health/ready", HttpStatusCode.OK, "readiness");
        var posted = await http.PostAsJsonAsync("/orders", new { orderId = "o-8", amount = 1.5m }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var health = await http.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("application/json", health.Content.Headers.ContentType?.MediaType);
        var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal("healthy", report.GetProperty("status").GetString());
        Assert.Equal(1, report.GetProperty("statistics").GetProperty("messages_sent").GetInt64());
        Assert.Equal(cluster.Cluster.BootstrapServers, report.GetProperty("bootstrap_servers").GetString());

        for (var broker = 1; broker <= cluster.Cluster.BrokerCount; broker++)
        {
            cluster.Cluster.SetBrokerDown(broker);
        }

        await UntilStatusAsync(http, "/health/ready", HttpStatusCode.ServiceUnavailable, "readiness to fail with every broker down");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode);
        sample.Terminate();
        Assert.Equal(0, await sample.WaitForExitAsync(Patience));
    }

    private static async Task UntilStatusAsync(HttpClient http, string path, HttpStatusCode expected, string what)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode last;
        while ((last = (await http.GetAsync(path, TestContext.Current.CancellationToken)).StatusCode) != expected)
        {
            Assert.True(started.Elapsed < Patience, $"timed out waiting for {what}: {path} answers {(int)last}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private static ConsumeResult<string, string> ReadOne(string bootstrapServers, string topic)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(topic);
        var record = consumer.Consume(Patience) ?? throw new TimeoutException($"nothing on {topic} within {Patience.TotalSeconds:0} s");
        consumer.Close();
        return record;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
