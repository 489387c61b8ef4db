using System.Net;
using System.Net.Sockets;
using EventBus.Kafka.Diagnostics;
using EventBus.Kafka.IntegrationTests.Infrastructure;

namespace EventBus.Kafka.IntegrationTests.Failures;

/// <summary>
/// The closed-port row of the failure table: an unreachable cluster may come back, so publishes keep
/// message.timeout.ms and fail retriable saying the cluster was unreachable; the clients are degraded at once with the
/// diagnosis; provisioning fails after KAFKA_TOPIC_CREATION_TIMEOUT; the repeats are summarised, not logged.
/// </summary>
public sealed class UnreachableFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ClosedPort_PublishesWaitTheMessageTimeoutRetriable_ClientsDegradedAtOnce_RepeatsSummarised()
    {
        var port = FreePort();

        var run = await FailureScenario.RunAsync("closed-port", [("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + port), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")],
            new ExpectedFailure(KafkaFailureKind.Unreachable, KafkaFailureCause.ConnectionRefused, "KAFKA_BOOTSTRAP_SERVERS"), output);

        // The cluster may come back: the publishes wait their timeouts and stay retriable, saying why.
        foreach (var (what, error) in new[] { ("pending PublishAsync", run.PendingError), ("new PublishAsync", run.NewError), ("Publish", run.SyncError) })
        {
            Assert.True(error is not null, $"{what} did not fail");
            Assert.True(error.IsRetriable, $"{what}: {error.Message}");
            Assert.Equal(KafkaFailureCause.ConnectionRefused, error.Diagnosis?.Cause);
            Assert.Contains("unreachable", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("KAFKA_BOOTSTRAP_SERVERS", error.Message, StringComparison.Ordinal);
        }

        var timeout = TimeSpan.FromMilliseconds(FailureScenario.UnreachableMessageTimeoutMs);
        Assert.InRange(run.PendingAfter, timeout - TimeSpan.FromSeconds(1), timeout + TimeSpan.FromSeconds(10));
        Assert.True(run.FirstProducerDiagnosisAfter <= TimeSpan.FromSeconds(5), $"the producer logged the diagnosis after {run.FirstProducerDiagnosisAfter}");
        Assert.InRange(run.ProvisionAfter, FailureScenario.CreationTimeout - TimeSpan.FromSeconds(1), FailureScenario.CreationTimeout + TimeSpan.FromSeconds(5));
        FailureScenario.AssertClients(run);

        // Hundreds of refused connections over the row; the producer's repeats come out as a summary line.
        Assert.Contains(run.Logs.Lines, l => l.EventName == "KafkaClientFailureRepeated" && l.Category.EndsWith("EventProducer", StringComparison.Ordinal)
            && l.Message.Contains("repeated", StringComparison.Ordinal));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
