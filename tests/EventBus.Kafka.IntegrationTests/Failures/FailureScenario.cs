using System.Diagnostics;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Diagnostics;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Topics;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.IntegrationTests.Failures;

/// <summary>What a failure row expects every client to report.</summary>
/// <param name="Kind">The class.</param>
/// <param name="Cause">The cause.</param>
/// <param name="Variable">A variable the messages must name.</param>
internal sealed record ExpectedFailure(KafkaFailureKind Kind, KafkaFailureCause Cause, string Variable)
{
    public bool IsConfigurationError => Kind is KafkaFailureKind.Tls or KafkaFailureKind.Authentication or KafkaFailureKind.Authorization;
}

/// <summary>
/// One row of the failure table, run against every client a service has: the producer (a publish pending before the
/// failure is known, a new one, a synchronous one), the consumer, <c>ProvisionAsync</c> and <c>eventbus-topics</c> as
/// a separate process, with every log line captured.
/// </summary>
internal static class FailureScenario
{
    /// <summary>The creation timeout the rows run with.</summary>
    public static readonly TimeSpan CreationTimeout = TimeSpan.FromSeconds(8);

    /// <summary>How long each row keeps its producer and consumer failing, to measure the log rate.</summary>
    public static readonly TimeSpan Observation = TimeSpan.FromSeconds(15);

    /// <summary>The message timeout of the in-process producer for unreachable rows (the default, 300 s, is too long for a test).</summary>
    public const int UnreachableMessageTimeoutMs = 6_000;

    public static async Task<FailureRun> RunAsync(string row, IEnumerable<(string Name, string Value)> connection, ExpectedFailure expected, ITestOutputHelper output, params string[] secrets)
    {
        var ct = TestContext.Current.CancellationToken;
        var topic = KafkaTestBroker.UniqueTopic("fail-" + row);
        (string Name, string Value)[] variables =
        [
            .. connection, ("SERVICE_NAME", "fail-" + row), ("KAFKA_TOPIC_T", topic), ("KAFKA_CONSUMER_GROUP", "g-" + topic),
            ("KAFKA_TOPIC_T_REPLICATION", "1"), ("KAFKA_TOPIC_T_MIN_INSYNC_REPLICAS", "1"), ("KAFKA_TOPIC_T_PARTITIONS", "1"), ("KAFKA_TOPIC_DLQ_REPLICATION", "1"),
            ("KAFKA_TOPIC_CREATION_TIMEOUT", CreationTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("KAFKA_TOPIC_CREATION_RETRIES", "0"),
        ];
        var options = EventBusOptions.FromVariables(variables.ToDictionary(v => v.Name, v => (string?)v.Value, StringComparer.Ordinal));
        if (!expected.IsConfigurationError)
        {
            options.Producer.AdditionalProperties["message.timeout.ms"] = UnreachableMessageTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var logs = new CapturingLoggerFactory();
        var clock = Stopwatch.StartNew();
        var createdAt = DateTimeOffset.UtcNow;
        var run = new FailureRun(row, expected, logs);

        // Producer: one publish made before the failure can be known (pending), then a new one and a synchronous one.
        var producer = new EventProducer(options, logs.CreateLogger<EventProducer>());
        try
        {
            var pending = producer.PublishAsync("T", "pending", "k", cancellationToken: ct);
            (run.PendingError, run.PendingAfter) = await CaptureAsync(pending, clock);
            var started = clock.Elapsed;
            (run.NewError, var newAt) = await CaptureAsync(producer.PublishAsync("T", "new", "k", cancellationToken: ct), clock);
            run.NewAfter = newAt - started;
            started = clock.Elapsed;
            run.SyncError = Record.Exception(() => producer.Publish("T", "sync", "k")) as EventPublishException;
            run.SyncAfter = clock.Elapsed - started;
            run.ProducerHealth = producer.Health;
            run.FirstProducerDiagnosisAfter = logs.Lines.FirstOrDefault(l => l.EventName == "KafkaClientFailure")?.At - createdAt;

            // Consumer: running, but degraded with the diagnosis.
            await using var consumer = new EventConsumerBuilder(options)
                .WithLoggerFactory(logs)
                .AddHandler<string>("T", (_, _) => Task.CompletedTask)
                .Build();
            started = clock.Elapsed;
            consumer.Start();
            await Wait.UntilAsync(() => consumer.Health.Diagnosis?.Kind == expected.Kind, TimeSpan.FromSeconds(30), $"the consumer to report {expected.Kind} (health: {consumer.Health})");
            run.ConsumerAfter = clock.Elapsed - started;
            run.ConsumerHealth = consumer.Health;
            run.ConsumerState = consumer.State;

            // ProvisionAsync at service start-up, then the tool as its own process.
            started = clock.Elapsed;
            using (var provisioner = new TopicProvisioner(options, logger: logs.CreateLogger<TopicProvisioner>()))
            {
                run.ProvisionError = await Record.ExceptionAsync(() => provisioner.ProvisionAsync(ct)) as TopicProvisioningException;
            }

            run.ProvisionAfter = clock.Elapsed - started;
            run.Tool = await TopicsToolProcess.RunAsync(variables, "apply");

            // Keep both failing for the observation window: how many lines does a failure cost?
            var remaining = Observation - clock.Elapsed;
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(remaining, ct); // the scenario's length (log rate over a known time), not a synchronisation
            }

            run.Observed = clock.Elapsed;
            run.ProducerLines = logs.Lines.Count(l => l.Category.EndsWith("EventProducer", StringComparison.Ordinal));
            run.ConsumerLines = logs.Lines.Count(l => l.Category.EndsWith("EventConsumer", StringComparison.Ordinal));
            await consumer.StopAsync(ct);
        }
        finally
        {
            await producer.DisposeAsync();
        }

        run.Secrets = secrets;
        output.WriteLine(run.Describe());
        return run;
    }

    /// <summary>The assertions every configuration-error row shares (TLS, authentication).</summary>
    public static void AssertConfigurationError(FailureRun run)
    {
        var expected = run.Expected;
        foreach (var (what, error, after) in new[] { ("pending PublishAsync", run.PendingError, run.PendingAfter), ("new PublishAsync", run.NewError, run.NewAfter), ("Publish", run.SyncError, run.SyncAfter) })
        {
            Assert.True(error is not null, $"{what} did not fail");
            Assert.False(error.IsRetriable, $"{what}: {error.Message}");
            Assert.Equal(expected.Kind, error.Diagnosis?.Kind);
            Assert.Equal(expected.Cause, error.Diagnosis?.Cause);
            Assert.Contains(expected.Variable, error.Message, StringComparison.Ordinal);
            Assert.True(after <= TimeSpan.FromSeconds(10), $"{what} failed after {after.TotalSeconds:0.0} s, more than 10 s");
        }

        AssertClients(run);
        Assert.True(run.ProvisionAfter <= TimeSpan.FromSeconds(10), $"ProvisionAsync failed after {run.ProvisionAfter.TotalSeconds:0.0} s");
        Assert.True(run.ConsumerAfter <= TimeSpan.FromSeconds(10), $"the consumer was degraded after {run.ConsumerAfter.TotalSeconds:0.0} s");
    }

    /// <summary>The assertions on the consumer, ProvisionAsync, the tool, the logs and secrets that every row shares.</summary>
    public static void AssertClients(FailureRun run)
    {
        var expected = run.Expected;
        Assert.Equal(KafkaHealthStatus.Degraded, run.ProducerHealth!.Status);
        Assert.Equal(expected.Cause, run.ProducerHealth.Diagnosis?.Cause);
        Assert.Equal(KafkaHealthStatus.Degraded, run.ConsumerHealth!.Status);
        Assert.Equal(expected.Cause, run.ConsumerHealth.Diagnosis?.Cause);
        Assert.Equal(EventConsumerState.Running, run.ConsumerState);
        Assert.NotNull(run.ProvisionError);
        Assert.Equal(expected.Kind, run.ProvisionError.FailureKind);
        Assert.Contains(expected.Variable, run.ProvisionError.Message, StringComparison.Ordinal);
        Assert.Equal(Tools.TopicsCommand.Failed, run.Tool!.ExitCode);
        Assert.Contains(expected.Variable, run.Tool.StdErr, StringComparison.Ordinal);
        Assert.True(run.Tool.Elapsed <= CreationTimeout + TimeSpan.FromSeconds(10), $"the tool took {run.Tool.Elapsed.TotalSeconds:0.0} s");
        Assert.DoesNotContain("%3|", run.Tool.StdErr, StringComparison.Ordinal); // no raw librdkafka lines

        // One failure, one line: a handful of lines over the observation, not one per reconnect.
        Assert.InRange(run.ProducerLines, 1, 8);
        Assert.InRange(run.ConsumerLines, 1, 8);
        Assert.DoesNotContain(run.Logs.Lines, l => l.Category.EndsWith("EventProducer", StringComparison.Ordinal) && l.Message.Contains("every message was delivered", StringComparison.Ordinal));
        Assert.Contains(run.Logs.Lines, l => l.EventName == "ProducerClosedWithUndelivered");

        foreach (var secret in run.Secrets)
        {
            Assert.DoesNotContain(run.Logs.Lines, l => l.ToString().Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, run.AllText(), StringComparison.Ordinal);
        }
    }

    private static async Task<(EventPublishException? Error, TimeSpan At)> CaptureAsync(Task<PublishResult> publish, Stopwatch clock)
    {
        try
        {
            await publish.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            return (null, clock.Elapsed);
        }
        catch (EventPublishException ex)
        {
            return (ex, clock.Elapsed);
        }
    }
}

/// <summary>What one row of the failure table observed.</summary>
internal sealed class FailureRun(string row, ExpectedFailure expected, CapturingLoggerFactory logs)
{
    public string Row { get; } = row;

    public ExpectedFailure Expected { get; } = expected;

    public CapturingLoggerFactory Logs { get; } = logs;

    public EventPublishException? PendingError { get; set; }

    public TimeSpan PendingAfter { get; set; }

    public EventPublishException? NewError { get; set; }

    public TimeSpan NewAfter { get; set; }

    public EventPublishException? SyncError { get; set; }

    public TimeSpan SyncAfter { get; set; }

    public KafkaClientHealth? ProducerHealth { get; set; }

    public TimeSpan? FirstProducerDiagnosisAfter { get; set; }

    public KafkaClientHealth? ConsumerHealth { get; set; }

    public EventConsumerState ConsumerState { get; set; }

    public TimeSpan ConsumerAfter { get; set; }

    public TopicProvisioningException? ProvisionError { get; set; }

    public TimeSpan ProvisionAfter { get; set; }

    public ToolRun? Tool { get; set; }

    public TimeSpan Observed { get; set; }

    public int ProducerLines { get; set; }

    public int ConsumerLines { get; set; }

    public IReadOnlyList<string> Secrets { get; set; } = [];

    public double LinesPerMinute(int lines) => lines / Observed.TotalMinutes;

    public string AllText() => string.Join(Environment.NewLine, new object?[]
    {
        PendingError?.Message, NewError?.Message, SyncError?.Message, ProducerHealth, ConsumerHealth, ProvisionError?.Message, Tool?.StdOut, Tool?.StdErr,
    }.Select(o => o?.ToString()));

    public string Describe() =>
        $"""
        row {Row}: expected {Expected.Kind}/{Expected.Cause}, naming {Expected.Variable}
          first diagnosis logged by the producer after {FirstProducerDiagnosisAfter?.TotalSeconds:0.00} s
          PublishAsync pending: {PendingAfter.TotalSeconds:0.00} s after the producer was created, retriable={PendingError?.IsRetriable}: {PendingError?.Message}
          PublishAsync new: {NewAfter.TotalSeconds:0.00} s, retriable={NewError?.IsRetriable}, {NewError?.Diagnosis?.Cause}
          Publish: {SyncAfter.TotalSeconds:0.00} s, retriable={SyncError?.IsRetriable}: {SyncError?.Message}
          producer health: {ProducerHealth}
          consumer: state {ConsumerState}, degraded after {ConsumerAfter.TotalSeconds:0.00} s: {ConsumerHealth}
          ProvisionAsync: {ProvisionAfter.TotalSeconds:0.00} s, {ProvisionError?.FailureKind}: {ProvisionError?.Message}
          eventbus-topics apply: exit {Tool?.ExitCode} in {Tool?.Elapsed.TotalSeconds:0.0} s; stderr: {Tool?.StdErr.Trim()}
          log lines over {Observed.TotalSeconds:0} s: producer {ProducerLines} ({LinesPerMinute(ProducerLines):0.#}/min), consumer {ConsumerLines} ({LinesPerMinute(ConsumerLines):0.#}/min)
        {string.Join(Environment.NewLine, Logs.Lines.Select(l => "    " + l))}
        """;
}
