using System.Collections.Concurrent;
using System.Diagnostics;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Producing;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>
/// One reliability scenario: publishers paced at a steady rate through one <see cref="EventProducer"/>, a consumer group
/// of <see cref="EventConsumer"/>s whose handlers count every delivery, and faults injected in between. Message <c>i</c>
/// carries <c>i</c> as its value, so the run knows of each one whether it was acknowledged, where it was stored, and how
/// often it was handled. <see cref="FinishAsync"/> drains, reads the topic and the group's offsets back and returns the
/// figures (<see cref="ScenarioResult"/>) that every scenario prints as one line and asserts.
/// </summary>
/// <remarks>The bookkeeping is allocated up front (<see cref="ScenarioSettings.Capacity"/>), so it does not move the
/// managed heap the load scenario measures.</remarks>
internal sealed partial class ScenarioRun : IAsyncDisposable
{
    public const string TopicKey = "IN";
    private const byte Pending = 0;
    private const byte Acked = 1;
    private const byte Failed = 2;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);

    private readonly ScenarioSettings _settings;
    private readonly ScenarioBroker _broker;
    private readonly ITestOutputHelper _output;
    private readonly int[] _handled;
    private readonly int[] _attempted;
    private readonly byte[] _firstMember;
    private readonly int[] _firstAtMs;
    private readonly ConcurrentQueue<string> _duplicates = new();
    private readonly byte[] _status;
    private readonly byte[] _retried;
    private readonly int[] _partition;
    private readonly long[] _offset;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly List<Member> _members = [];
    private readonly List<FaultRecord> _faults = [];
    private readonly ConcurrentQueue<string> _publishErrors = new();
    private readonly ConcurrentDictionary<string, int> _retryReasons = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopPublishing = new();
    private readonly object _frontierGate = new();
    private readonly CapturingLoggerFactory _producerLogs = new();
    private EventProducer? _producer;
    private Task[] _publishers = [];
    private int _issued;
    private int _publishRetries;
    private int _outstanding;
    private int _distinctHandled;
    private int _frontier;
    private int _kills;
    private int _memberCount;

    private ScenarioRun(ScenarioSettings settings, ScenarioBroker broker, ITestOutputHelper output)
    {
        _settings = settings;
        _broker = broker;
        _output = output;
        _handled = new int[settings.Capacity];
        _attempted = new int[settings.Capacity];
        _firstMember = new byte[settings.Capacity];
        _firstAtMs = new int[settings.Capacity];
        _status = new byte[settings.Capacity];
        _retried = new byte[settings.Capacity];
        _partition = new int[settings.Capacity];
        _offset = new long[settings.Capacity];
        var id = Guid.NewGuid().ToString("N")[..10];
        Topic = $"rel-{id}";
        Group = $"g-rel-{id}";
        DeadLetterTopic = settings.WithDeadLetterTopic || settings.Poison is not null ? $"rel-{id}-dlq" : null;
    }

    /// <summary>Gets the scenario's topic.</summary>
    public string Topic { get; }

    /// <summary>Gets the consumer group.</summary>
    public string Group { get; }

    /// <summary>Gets the dead-letter topic, when the scenario has one.</summary>
    public string? DeadLetterTopic { get; }

    /// <summary>Gets the time since the scenario started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Gets how many messages were handed to PublishAsync so far.</summary>
    public int Issued => Math.Min(Volatile.Read(ref _issued), _settings.Capacity);

    /// <summary>Gets how many distinct messages were handled so far.</summary>
    public int DistinctHandled => Volatile.Read(ref _distinctHandled);

    /// <summary>Gets the producer every publisher shares.</summary>
    public EventProducer Producer => _producer!;

    /// <summary>Gets the consumers not killed (running or stopped).</summary>
    public IReadOnlyList<EventConsumer> Consumers => Members().Where(m => !m.Killed).Select(m => m.Consumer).ToList();

    /// <summary>Gets the faults so far and how long each took to recover from.</summary>
    public IReadOnlyList<(string What, TimeSpan Recovered)> Faults => [.. _faults.Select(f => (f.What, f.Recovered))];

    /// <summary>Gets the scenario's broker.</summary>
    public ScenarioBroker Broker => _broker;

    /// <summary>Creates the topics, starts the consumers, then the publishers.</summary>
    /// <param name="settings">The scenario.</param>
    /// <param name="broker">Where it runs.</param>
    /// <param name="output">The test's output.</param>
    /// <returns>The running scenario.</returns>
    public static async Task<ScenarioRun> StartAsync(ScenarioSettings settings, ScenarioBroker broker, ITestOutputHelper output)
    {
        var run = new ScenarioRun(settings, broker, output);
        await broker.CreateTopicAsync(run.Topic, settings.Partitions).ConfigureAwait(false);
        if (run.DeadLetterTopic is not null)
        {
            await broker.CreateTopicAsync(run.DeadLetterTopic, 1).ConfigureAwait(false);
        }

        settings.Prepare?.Invoke(run.Topic, run.Group, run.DeadLetterTopic);
        run._producer = new EventProducer(run.Options(consumer: false), settings.CaptureLogs ? run._producerLogs.CreateLogger<EventProducer>() : null);
        for (var i = 0; i < settings.Consumers; i++)
        {
            run.AddConsumer();
        }

        var perTick = settings.RatePerSecond * Tick.TotalSeconds / settings.Publishers;
        run._publishers = Enumerable.Range(0, settings.Publishers)
            .Select(_ => Task.Factory.StartNew(() => run.PublishLoopAsync(perTick), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap())
            .ToArray();
        return run;
    }

    /// <summary>librdkafka debug contexts for the scenario's producer (e.g. <c>eos</c>); with <see cref="ProducerLogVariable"/>, its log is written to a file.</summary>
    public const string ProducerDebugVariable = "EVENTBUS_RELIABILITY_PRODUCER_DEBUG";

    /// <summary>A file the scenario's producer log is written to when the scenario finishes.</summary>
    public const string ProducerLogVariable = "EVENTBUS_RELIABILITY_PRODUCER_LOG";

    /// <summary>Options as the service would get them from its environment: the topic as <c>KAFKA_TOPIC_IN</c>, the group, the DLQ.</summary>
    /// <param name="consumer">Whether the consumer-only variables and dead-letter producer properties apply.</param>
    /// <returns>New, validated options.</returns>
    public EventBusOptions Options(bool consumer)
    {
        var variables = new List<(string, string)> { ("KAFKA_TOPIC_IN", Topic), ("KAFKA_CONSUMER_GROUP", Group) };
        variables.AddRange(GroupTiming(_broker.IsMock));
        if (DeadLetterTopic is not null)
        {
            variables.Add(("KAFKA_TOPIC_DLQ", DeadLetterTopic));
        }

        variables.AddRange(_settings.Variables);
        if (consumer)
        {
            variables.AddRange(_settings.ConsumerVariables);
        }

        var options = KafkaTestBroker.CreateOptions(_broker.BootstrapServers, "reliability", [.. variables]);
        foreach (var (name, value) in consumer ? _settings.DeadLetterProducerProperties : _settings.ProducerProperties)
        {
            options.Producer.AdditionalProperties[name] = value;
        }

        var debug = Environment.GetEnvironmentVariable(ProducerDebugVariable) is { Length: > 0 } asked ? asked : _broker.IsMock ? null : "eos";
        if (!consumer && debug is not null)
        {
            // librdkafka's idempotence log (eos: producer ids, epoch bumps; a few lines per fault) on a real broker, where
            // an epoch bump is what can store a record published once twice; any contexts when the variable asks.
            options.Producer.AdditionalProperties["debug"] = debug;
        }

        foreach (var (name, value) in consumer ? _settings.ConsumerProperties : new Dictionary<string, string>())
        {
            options.Consumer.AdditionalProperties[name] = value;
        }

        return options;
    }

    /// <summary>
    /// The group timing of every scenario: a lost member is noticed after a few seconds, not the default 45 s. A real
    /// broker accepts no session timeout below its <c>group.min.session.timeout.ms</c> (6 s). The mock cluster has no
    /// such floor, and it holds every JoinGroup of a rebalance for the session timeout less 1 s (each step of a
    /// cooperative rebalance, and each member leaving at the end, waits that long), so the mock's scenarios use 3 s.
    /// </summary>
    /// <param name="mock">Whether the scenario runs on the mock cluster.</param>
    /// <returns>The session timeout and heartbeat interval variables.</returns>
    public static (string Name, string Value)[] GroupTiming(bool mock) =>
    [
        ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", mock ? "3000" : "6000"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", mock ? "300" : "500"),
    ];

    /// <summary>Starts one more group member.</summary>
    /// <returns>Its name (c1, c2, ...).</returns>
    public string AddConsumer()
    {
        var number = Interlocked.Increment(ref _memberCount);
        var name = "c" + number;
        var member = new Member(name, number);
        var builder = new EventConsumerBuilder(Options(consumer: true));
        if (_settings.CaptureLogs)
        {
            builder.WithLoggerFactory(member.Logs);
        }

        member.Consumer = builder
            .Configure(o =>
            {
                _settings.Configure?.Invoke(o);
                var assigned = o.PartitionsAssigned;
                var lost = o.PartitionsLost;
                o.PartitionsAssigned = p =>
                {
                    Interlocked.Increment(ref member.Assignments);
                    assigned?.Invoke(p);
                };
                o.PartitionsLost = p =>
                {
                    Interlocked.Increment(ref member.Losses);
                    lost?.Invoke(p);
                };
            })
            .AddHandler<int>(TopicKey, (context, cancellationToken) => HandleAsync(member, context, cancellationToken))
            .Build();
        lock (_members)
        {
            _members.Add(member);
        }

        member.Consumer.Start();
        return name;
    }

    /// <summary>Crashes a member: its poll thread stops, nothing is committed, the group is not left (the session times out).</summary>
    /// <param name="name">The member, or <see langword="null"/> for the oldest running one.</param>
    /// <returns>The member killed.</returns>
    public async Task<string> KillConsumerAsync(string? name = null)
    {
        var member = Running(name);
        member.Killed = true;
        Interlocked.Increment(ref _kills);
        await member.Consumer.KillAsync().ConfigureAwait(false);
        return member.Name;
    }

    /// <summary>Stops a member gracefully (revoke: in-flight work drains and is committed, the group is left).</summary>
    /// <param name="name">The member, or <see langword="null"/> for the oldest running one.</param>
    /// <returns>The member stopped.</returns>
    public async Task<string> StopConsumerAsync(string? name = null)
    {
        var member = Running(name);
        member.Stopped = true;
        await member.Consumer.StopAsync().ConfigureAwait(false);
        return member.Name;
    }

    /// <summary>Gets how many members run now.</summary>
    public int RunningConsumers => Members().Count(m => !m.Killed && !m.Stopped);

    /// <summary>Waits until <paramref name="count"/> more distinct messages were handled (the scenario is flowing).</summary>
    /// <param name="count">How many more.</param>
    /// <param name="timeout">The longest wait (default 60 s).</param>
    /// <returns>A task.</returns>
    public Task WaitForProgressAsync(int count, TimeSpan? timeout = null)
    {
        var target = DistinctHandled + count;
        return WaitForAsync(() => DistinctHandled >= target, timeout ?? TimeSpan.FromSeconds(60), () => $"{count} more messages handled (have {DistinctHandled}, target {target}); {Describe()}");
    }

    /// <summary>
    /// Keeps a fault in place for its length. Like the publishers' pacing, this is the scenario's load (how long a
    /// broker stays down), not a wait for anything to happen.
    /// </summary>
    /// <param name="length">How long.</param>
    /// <returns>A task.</returns>
    public static async Task HoldAsync(TimeSpan length)
    {
        using var timer = new PeriodicTimer(length);
        await timer.WaitForNextTickAsync(TestContext.Current.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Injects a fault, keeps it for <paramref name="hold"/>, heals it, then waits until every message published before the
    /// heal was acknowledged and handled. Time to recover = from the heal to then.
    /// </summary>
    /// <param name="what">The fault, as printed.</param>
    /// <param name="inject">Injects it.</param>
    /// <param name="hold">How long it lasts.</param>
    /// <param name="heal">Heals it (may be a no-op for a crash whose replacement <paramref name="inject"/> started).</param>
    /// <returns>The time to recover.</returns>
    public async Task<TimeSpan> FaultAsync(string what, Func<Task> inject, TimeSpan hold, Func<Task> heal)
    {
        var started = _clock.Elapsed;
        await inject().ConfigureAwait(false);
        if (hold > TimeSpan.Zero)
        {
            await HoldAsync(hold).ConfigureAwait(false);
        }

        await heal().ConfigureAwait(false);
        var healed = _clock.Elapsed;
        var target = Issued;
        await WaitForAsync(() => Frontier() >= target, _settings.RecoveryTimeout, () => $"recovery after '{what}' (every message up to #{target} acknowledged and handled); {Describe()}")
            .ConfigureAwait(false);
        var recovered = _clock.Elapsed - healed;
        _faults.Add(new FaultRecord(what, started, healed, recovered));
        _output.WriteLine($"  {started.TotalSeconds,6:0.0} s  {what}: healed at {healed.TotalSeconds:0.0} s, recovered {recovered.TotalSeconds:0.0} s later (up to #{target})");
        return recovered;
    }

    /// <summary>The same with synchronous inject and heal (mock cluster calls).</summary>
    /// <param name="what">The fault.</param>
    /// <param name="inject">Injects it.</param>
    /// <param name="hold">How long it lasts.</param>
    /// <param name="heal">Heals it.</param>
    /// <returns>The time to recover.</returns>
    public Task<TimeSpan> FaultAsync(string what, Action inject, TimeSpan hold, Action heal) =>
        FaultAsync(what, () => { inject(); return Task.CompletedTask; }, hold, () => { heal(); return Task.CompletedTask; });

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopPublishing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_publishers).ConfigureAwait(false);
        foreach (var member in Members())
        {
            try
            {
                await member.Consumer.DisposeAsync().ConfigureAwait(false);
            }
            catch (EventConsumerException)
            {
                // Reported by the scenario's figures already.
            }
        }

        if (_producer is not null)
        {
            await _producer.DisposeAsync().ConfigureAwait(false);
        }

        _stopPublishing.Dispose();
    }

    private Member[] Members()
    {
        lock (_members)
        {
            return [.. _members];
        }
    }

    private Member Running(string? name)
    {
        lock (_members)
        {
            return _members.First(m => !m.Killed && !m.Stopped && (name is null || m.Name == name));
        }
    }

    private Task HandleAsync(Member member, EventContext<int> context, CancellationToken cancellationToken)
    {
        var i = context.Message;
        if (_settings.Poison?.Invoke(i) == true)
        {
            Interlocked.Increment(ref _attempted[i]);
            throw new FormatException($"poison message {i}");
        }

        return _settings.Work is null ? Count(member, context) : WorkThenCountAsync(member, context, cancellationToken);
    }

    private async Task WorkThenCountAsync(Member member, EventContext<int> context, CancellationToken cancellationToken)
    {
        await _settings.Work!(context.Message, cancellationToken).ConfigureAwait(false);
        await Count(member, context).ConfigureAwait(false);
    }

    private Task Count(Member member, EventContext<int> context)
    {
        var i = context.Message;
        var times = Interlocked.Increment(ref _handled[i]);
        if (times == 1)
        {
            _firstMember[i] = (byte)member.Number;
            _firstAtMs[i] = (int)_clock.ElapsedMilliseconds;
            Interlocked.Increment(ref _distinctHandled);
        }
        else if (_duplicates.Count < 20)
        {
            _duplicates.Enqueue($"#{i} [{context.Partition}]@{context.Offset}: c{_firstMember[i]} at {_firstAtMs[i] / 1000.0:0.00} s, again by {member.Name} at {_clock.Elapsed.TotalSeconds:0.00} s (delivery {times})");
        }

        return Task.CompletedTask;
    }

    private async Task PublishLoopAsync(double perTick)
    {
        // Pacing with a PeriodicTimer is the scenario's load (a steady rate), not a synchronisation. A publisher that
        // finds the window full (the broker stalls) waits for the next tick; after a stall it catches up by at most a
        // second's worth, as a service's backlog would.
        using var timer = new PeriodicTimer(Tick);
        var credit = 0.0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stopPublishing.Token).ConfigureAwait(false))
            {
                credit = Math.Min(credit + perTick, perTick * (1 / Tick.TotalSeconds));
                while (credit >= 1 && Volatile.Read(ref _outstanding) < _settings.PublishWindow)
                {
                    var i = Interlocked.Increment(ref _issued) - 1;
                    if (i >= _settings.Capacity)
                    {
                        return;
                    }

                    credit--;
                    Interlocked.Increment(ref _outstanding);
                    _ = PublishOneAsync(i);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Publishing stopped.
        }
    }

    private async Task PublishOneAsync(int i)
    {
        // As a service does: a publish that fails with a retriable error (EventPublishException.IsRetriable) is
        // published again after a backoff, for at most the recovery timeout; a non-retriable failure is final.
        var clock = Stopwatch.StartNew();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var result = await _producer!.PublishAsync(TopicKey, i, _settings.Key(i)).ConfigureAwait(false);
                    _partition[i] = result.Partition;
                    _offset[i] = result.Offset;
                    Volatile.Write(ref _status[i], Acked);
                    return;
                }
                catch (EventPublishException ex) when (ex.IsRetriable && clock.Elapsed < _settings.RecoveryTimeout)
                {
                    Interlocked.Increment(ref _publishRetries);
                    _retried[i] = 1;
                    _retryReasons.AddOrUpdate(ex.ErrorCode.ToString(), 1, static (_, n) => n + 1);

                    // The service's retry backoff (a pacing of the load, not a wait for anything).
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2_000, 100 * attempt)), CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
#pragma warning disable CA1031 // Every failure is a figure of the scenario (acknowledged < produced), never a crash of the run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Volatile.Write(ref _status[i], Failed);
            if (_publishErrors.Count < 5)
            {
                _publishErrors.Enqueue($"#{i}: {ex.GetType().Name}: {ex.Message}");
            }
        }
        finally
        {
            Interlocked.Decrement(ref _outstanding);
        }
    }

    /// <summary>Every message below the frontier was acknowledged and handled (or dead-lettered), or failed to publish.</summary>
    private int Frontier()
    {
        lock (_frontierGate)
        {
            var issued = Issued;
            while (_frontier < issued && IsSettled(_frontier))
            {
                _frontier++;
            }

            return _frontier;
        }
    }

    private bool IsSettled(int i) => Volatile.Read(ref _status[i]) switch
    {
        Failed => true,
        Acked => Volatile.Read(ref _handled[i]) > 0 || Volatile.Read(ref _attempted[i]) > 0,
        _ => false,
    };

    private async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var cancellation = TestContext.Current.CancellationToken; // read once while the test runs (see Wait.UntilAsync)
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            if (stopwatch.Elapsed > timeout)
            {
                foreach (var line in Timeline(complete: true))
                {
                    _output.WriteLine("  " + line);
                }

                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {describe()}.");
            }

            await Task.Delay(20, cancellation).ConfigureAwait(false);
        }
    }

    private string Describe()
    {
        var frontier = Frontier();
        var stuck = frontier < Issued
            ? $"oldest unsettled #{frontier}: {(Volatile.Read(ref _status[frontier]) == Pending ? "not acknowledged yet" : $"acknowledged at [{_partition[frontier]}]@{_offset[frontier]}, not handled")}"
            : "nothing unsettled";
        var members = string.Join("; ", Members().Select(m => $"{m.Name}{(m.Killed ? " (killed)" : m.Stopped ? " (stopped)" : "")}: {m.Consumer.GetStatistics()}" +
            (m.Killed || m.Stopped ? "" : $" {{ {Reliability.ConsumerStateCensus.Describe(m.Consumer)} }}")));
        return $"issued {Issued}, in flight {Volatile.Read(ref _outstanding)}, handled {DistinctHandled} distinct; {stuck}; producer {_producer?.GetStatistics()}; {members}";
    }

    private sealed class Member(string name, int number)
    {
        public string Name { get; } = name;

        public int Number { get; } = number;

        public EventConsumer Consumer { get; set; } = null!;

        public bool Killed { get; set; }

        public bool Stopped { get; set; }

        public CapturingLoggerFactory Logs { get; } = new();

        public int Assignments;

        public int Losses;
    }

    private sealed record FaultRecord(string What, TimeSpan Started, TimeSpan Healed, TimeSpan Recovered);
}
