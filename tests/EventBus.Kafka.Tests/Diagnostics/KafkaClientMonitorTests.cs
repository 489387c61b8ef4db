using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;
using EventBus.Kafka.Tests.Configuration;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Tests.Diagnostics;

/// <summary>One client's errors and log lines: diagnosed (probing where the text cannot tell), recorded, logged once.</summary>
public sealed class KafkaClientMonitorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("eventbus-monitor-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TwoHundredCertificateFailures_ProbedOnce_OneLine_FailFastStartedOnce_SummaryOnRecovery()
    {
        var serverPem = Path.Combine(_directory, "server.pem");
        var otherCa = Path.Combine(_directory, "other.pem");
        await using var listener = TestTlsListener.Start(serverPem, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(9));
        await using (TestTlsListener.Start(otherCa, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(9)))
        {
        }

        var log = new LogCapture();
        var failFast = 0;
        var failFastStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var monitor = Monitor(new ProducerConfig { BootstrapServers = "127.0.0.1:" + listener.Port, SecurityProtocol = SecurityProtocol.Ssl, SslCaLocation = otherCa }, log);
        monitor.FailFastStarted = _ =>
        {
            Interlocked.Increment(ref failFast);
            failFastStarted.TrySetResult();
        };
        var error = new Error(ErrorCode.Local_Ssl, $"ssl://127.0.0.1:{listener.Port}/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed (after 5ms in state SSL_HANDSHAKE)");

        Assert.Null(monitor.OnError(error));                               // the probe makes the diagnosis
        await log.WaitUntilAsync(() => monitor.Current is not null, TimeSpan.FromSeconds(10), "the probe's diagnosis");
        for (var i = 0; i < 199; i++)
        {
            monitor.OnError(error);
        }

        await failFastStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);   // it logs nothing itself: wait on it, not on a log line
        var degraded = monitor.GetHealth();
        Assert.Equal((KafkaHealthStatus.Degraded, KafkaFailureCause.UnknownCertificateAuthority), (degraded.Status, degraded.Diagnosis?.Cause));
        Assert.NotNull(monitor.FailFast);
        Assert.Single(log.Entries, e => e.EventId.Id == 6000);
        Assert.Equal(LogLevel.Error, log.Entries.Single(e => e.EventId.Id == 6000).Level);

        monitor.OnSuccess("a message was delivered");

        Assert.Equal(1, failFast);
        Assert.Equal(KafkaHealthStatus.Healthy, monitor.GetHealth().Status);
        Assert.Null(monitor.FailFast);
        Assert.Contains(log.Entries, e => e.EventId.Id == 6001 && e.Message.Contains("(repeated 199 times in", StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.EventId.Id == 6002 && e.Message.Contains("a message was delivered", StringComparison.Ordinal));
    }

    [Fact]
    public void LogLines_ErrorFailLinesLeftToTheErrorCallback_DebugVerbatim_InformationSummarised()
    {
        var log = new LogCapture();
        var raw = new List<string>();
        using var monitor = new KafkaClientMonitor(DiagnosisContext.From("consumer", new ConsumerConfig { BootstrapServers = "b:1", SecurityProtocol = SecurityProtocol.Plaintext }), "c", log.CreateLogger("c"),
            (_, level, _, facility, text) => raw.Add($"{level} {facility} {text}"));

        monitor.OnLog(new LogMessage("c#consumer-1", SyslogLevel.Error, "FAIL", "[thrd:b:1/bootstrap]: b:1/bootstrap: Connect to ipv4#10.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT)"));
        monitor.OnLog(new LogMessage("c#consumer-1", SyslogLevel.Debug, "CONNECT", "b:1/bootstrap: Connecting"));
        monitor.OnLog(new LogMessage("c#consumer-1", SyslogLevel.Debug, "CONNECT", "b:1/bootstrap: Connecting"));
        monitor.OnLog(new LogMessage("c#consumer-1", SyslogLevel.Notice, "CLUSTERID", "Broker b:1/1 reports different ClusterId"));
        monitor.OnLog(new LogMessage("c#consumer-1", SyslogLevel.Notice, "CLUSTERID", "Broker b:1/1 reports different ClusterId"));
        monitor.Close();

        Assert.Equal(
            ["Debug CONNECT b:1/bootstrap: Connecting", "Debug CONNECT b:1/bootstrap: Connecting", "Information CLUSTERID Broker b:1/1 reports different ClusterId",
             "Information CLUSTERID Broker b:1/1 reports different ClusterId (repeated 1 times in 0 s)"],
            raw);
        Assert.Equal(KafkaHealthStatus.Closed, monitor.GetHealth().Status);   // the error-level line is the error callback's to record
    }

    [Fact]
    public void DeliveryRefusedByAnAcl_Degraded_TheDiagnosisNamesTheTopic_UnrelatedErrorsKeepTheCurrentOne()
    {
        var log = new LogCapture();
        using var monitor = Monitor(new ProducerConfig { BootstrapServers = "b:1", SecurityProtocol = SecurityProtocol.Plaintext }, log);

        var refused = monitor.DiagnoseOperation(new Error(ErrorCode.TopicAuthorizationFailed, "Broker: Topic authorization failed"), "orders");
        var timedOut = monitor.DiagnoseOperation(new Error(ErrorCode.Local_MsgTimedOut, "Local: Message timed out"), "orders");

        Assert.Equal(KafkaFailureCause.TopicAuthorization, refused?.Cause);
        Assert.Contains("'orders'", refused!.Message, StringComparison.Ordinal);
        Assert.Same(refused, timedOut);
        Assert.Equal(KafkaHealthStatus.Degraded, monitor.GetHealth().Status);
        Assert.Null(monitor.FailFast);
    }

    private static KafkaClientMonitor Monitor(ClientConfig config, LogCapture log) =>
        new(DiagnosisContext.From("producer", config), "p", log.CreateLogger("p"), (_, _, _, _, _) => { });
}
