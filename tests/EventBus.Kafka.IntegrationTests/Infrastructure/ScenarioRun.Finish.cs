using System.Globalization;
using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>The end of a scenario: drain, read back, count.</summary>
internal sealed partial class ScenarioRun
{
    /// <summary>
    /// Stops publishing, waits until every publish is resolved and every acknowledged message handled, stops the
    /// consumers gracefully, reads the topic (and the DLQ) and the group's committed offsets back, and counts: produced,
    /// acknowledged, handled, lost, duplicated, time to recover. Prints the scenario's line; does not assert
    /// (<see cref="ScenarioResult.AssertNothingLost"/> does).
    /// </summary>
    /// <returns>The figures.</returns>
    public async Task<ScenarioResult> FinishAsync()
    {
        await _stopPublishing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_publishers).ConfigureAwait(false);
        var publishedBy = _clock.Elapsed;
        await WaitForAsync(() => Volatile.Read(ref _outstanding) == 0, _settings.RecoveryTimeout, () => $"every publish acknowledged or failed; {Describe()}").ConfigureAwait(false);
        var issued = Issued;
        await WaitForAsync(() => Frontier() >= issued, _settings.RecoveryTimeout, () => $"every acknowledged message handled; {Describe()}").ConfigureAwait(false);
        var drained = _clock.Elapsed;

        // All members at once, as a deployment stops its instances: stopped one after another, each would wait for the
        // rebalance the one before it started (its LeaveGroup) before its own close could leave the group.
        var stopping = Members().Where(m => !m.Killed && !m.Stopped).ToList();
        foreach (var member in stopping)
        {
            member.Stopped = true;
        }

        await Task.WhenAll(stopping.Select(m => m.Consumer.StopAsync(TestContext.Current.CancellationToken))).ConfigureAwait(false);

        // Two minutes, and one more second per 2,000 records: a soak's topic holds a quarter of a million of them.
        var readTimeout = TimeSpan.FromSeconds(120 + (issued / 2_000.0));
        var onTopic = TopicReader.ReadAll(_broker.BootstrapServers, Topic, readTimeout);
        var (committed, end) = TestData.Offsets(_broker.BootstrapServers, Group, Topic);
        var deadLettered = DeadLetterTopic is null ? [] : TopicReader.ReadAll(_broker.BootstrapServers, DeadLetterTopic, TimeSpan.FromSeconds(60));

        var copies = new int[issued];
        var logStart = new Dictionary<int, long>();
        foreach (var record in onTopic)
        {
            var i = int.Parse(record.Message.Value, CultureInfo.InvariantCulture);
            copies[i]++;
            logStart[record.Partition.Value] = Math.Min(logStart.GetValueOrDefault(record.Partition.Value, long.MaxValue), record.Offset.Value);
        }

        // Where the copies of records published once but stored twice are: partition, offsets, timestamps.
        var writtenTwiceSample = onTopic
            .Select(r => (Id: int.Parse(r.Message.Value, CultureInfo.InvariantCulture), Record: r))
            .Where(r => copies[r.Id] > 1 && _retried[r.Id] == 0)
            .GroupBy(r => r.Id)
            .Take(10)
            .Select(g => $"#{g.Key} " + string.Join(" and ", g.Select(r => string.Create(CultureInfo.InvariantCulture, $"[{r.Record.Partition.Value}]@{r.Record.Offset.Value} ({r.Record.Message.Timestamp.UtcDateTime:HH:mm:ss.fff})"))))
            .ToList();

        var dead = new int[issued];
        foreach (var record in deadLettered)
        {
            dead[int.Parse(record.Message.Value, CultureInfo.InvariantCulture)]++;
        }

        long acknowledged = 0, failed = 0, handled = 0, distinct = 0, lost = 0, missing = 0, truncated = 0, writtenTwice = 0, writtenTwiceNotRetried = 0, redelivered = 0, deadLetteredDistinct = 0, withoutOffset = 0;
        var lostSample = new List<int>();
        for (var i = 0; i < issued; i++)
        {
            var status = _status[i];
            failed += status == Failed ? 1 : 0;
            handled += _handled[i];
            distinct += _handled[i] > 0 ? 1 : 0;
            writtenTwice += Math.Max(0, copies[i] - 1);
            writtenTwiceNotRetried += _retried[i] == 0 ? Math.Max(0, copies[i] - 1) : 0;
            var delivered = _handled[i] + dead[i];
            redelivered += Math.Max(0, delivered - Math.Max(1, copies[i]));
            deadLetteredDistinct += dead[i] > 0 ? 1 : 0;
            if (status != Acked)
            {
                continue;
            }

            acknowledged++;
            withoutOffset += _offset[i] < 0 ? 1 : 0;
            if (delivered == 0)
            {
                lost++;
                if (lostSample.Count < 10)
                {
                    lostSample.Add(i);
                }
            }

            if (copies[i] == 0)
            {
                if (_offset[i] >= 0 && _offset[i] < logStart.GetValueOrDefault(_partition[i], 0))
                {
                    truncated++; // the mock cluster keeps at most 5 MB per partition
                }
                else
                {
                    missing++;
                }
            }
        }

        // The longest stretch in which no message was handled for the first time, while messages were being published.
        var firsts = Enumerable.Range(0, issued).Where(i => _handled[i] > 0).Select(i => _firstAtMs[i]).Order().ToArray();
        var longestPause = firsts.Zip(firsts.Skip(1), (a, b) => b - a).DefaultIfEmpty(0).Max() / 1000.0;
        var probe = new EventConsumerOptions();
        _settings.Configure?.Invoke(probe);
        var maxPollRecords = Options(consumer: true).Consumer.MaxPollRecords;
        var losses = Members().Sum(m => m.Losses);
        var refusedRevocations = Members().Sum(m => RefusedRevocations(m.Logs.Lines));
        var silentHandovers = OwnershipTimeline.SilentHandovers(
            Members().SelectMany(m => m.Logs.Lines.Select(l => (m.Name, l))), Members().Where(m => m.Killed).Select(m => m.Name).ToHashSet());
        var result = new ScenarioResult
        {
            Scenario = _settings.Name,
            Broker = _broker.Kind,
            Produced = issued,
            Acknowledged = acknowledged,
            PublishFailed = failed,
            Handled = handled,
            DistinctHandled = distinct,
            DeadLettered = deadLetteredDistinct,
            Poisoned = _settings.Poison is null ? 0 : Enumerable.Range(0, issued).Count(i => _status[i] == Acked && _settings.Poison(i)),
            Lost = lost,
            LostSample = lostSample,
            MissingOnTopic = missing,
            AcknowledgedWithoutOffset = withoutOffset,
            Truncated = truncated,
            WrittenTwice = writtenTwice,
            WrittenTwiceNotRetried = writtenTwiceNotRetried,
            WrittenTwiceNotRetriedSample = writtenTwiceSample,
            EpochBumps = _producerLogs.Lines.Count(l => l.Message.Contains("bumped epoch to", StringComparison.Ordinal)),
            PublishWindow = _settings.PublishWindow,
            Redelivered = redelivered,
            Kills = _kills,
            Losses = losses,
            RefusedRevocations = refusedRevocations,
            SilentHandovers = silentHandovers,
            DuplicateBoundPerDisruption = (2 * maxPollRecords) + probe.CommitBatchSize,
            Faults = _faults.Count,
            TimeToRecover = _faults.Count == 0 ? null : _faults.Max(f => f.Recovered),
            CommittedEqualsEnd = end.All(e => committed.GetValueOrDefault(e.Key, -1) == e.Value),
            UncommittedAtEnd = end.Sum(e => Math.Max(0, e.Value - Math.Max(0, committed.GetValueOrDefault(e.Key, 0)))),
            Offsets = TestData.Describe(committed, end),
            PublishedSeconds = publishedBy.TotalSeconds,
            LongestPauseSeconds = longestPause,
            DrainSeconds = (drained - publishedBy).TotalSeconds,
            PublishErrors = [.. _publishErrors],
            PublishRetries = Volatile.Read(ref _publishRetries),
            RetryReasons = string.Join(", ", _retryReasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} ×{r.Value}")),
            Members = string.Join("; ", Members().Select(m => $"{m.Name}{(m.Killed ? " killed" : "")}: {m.Assignments} assignments, {m.Losses} losses, {m.Consumer.GetStatistics()}")),
            ProducerStatistics = _producer!.GetStatistics().ToString(),
            IsMock = _broker.IsMock,
            DuplicateSample = [.. _duplicates],
            Timeline = Timeline(complete: lost > 0 || redelivered > 0 || missing > 0 || failed > 0 || !end.All(e => committed.GetValueOrDefault(e.Key, -1) == e.Value)),
        };
        result.Print(_output);
        // librdkafka's partition-count changes (a restarting broker answering with no partitions fails the messages queued
        // for them with Local_UnknownPartition): the evidence behind publishes retried for that reason.
        foreach (var l in _producerLogs.Lines.Where(l => l.Message.Contains("PARTCNT", StringComparison.Ordinal)).Take(20))
        {
            _output.WriteLine($"  producer {(l.At - _startedAt).TotalSeconds:0.00} s: {l.Message}");
        }

        if (Environment.GetEnvironmentVariable(ProducerLogVariable) is { Length: > 0 } logFile)
        {
            File.WriteAllLines(logFile, _producerLogs.Lines.Select(l => l.ToString()));
        }

        return result;
    }

    /// <summary>
    /// Revocations whose commit the coordinator refused: the library logs them as PartitionsRevokedUncommitted (event
    /// 2044) and lets the partitions go with the records handled since their last commit.
    /// </summary>
    private static int RefusedRevocations(IReadOnlyList<CapturingLoggerFactory.LogLine> lines) =>
        lines.Count(line => line.EventName == "PartitionsRevokedUncommitted");

    private static int PartitionCount(string message) =>
        PartitionCountPattern().Match(message) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : int.MaxValue;

    [System.Text.RegularExpressions.GeneratedRegex(@"(\d+) partition")]
    private static partial System.Text.RegularExpressions.Regex PartitionCountPattern();

    private static readonly HashSet<string> TimelineEvents = new(StringComparer.Ordinal)
    {
        "PartitionsAssigned", "PartitionsRevoked", "PartitionsLost", "RevokeTimedOut", "CommitDeferred", "CommitFailed", "DeadLetterFailed",
        "ConsumerWarning", "ConsumerClientError", "ConsumerFatalError", "ShutdownTimedOut", "CloseTimedOut", "ConsumerKilled", "LaneFailed",
    };

    /// <summary>The consumers' rebalance, commit and error lines in time order (all when <paramref name="complete"/>, else counts).</summary>
    private List<string> Timeline(bool complete)
    {
        var lines = Members().SelectMany(m => m.Logs.Lines.Select(l => (Member: m.Name, Line: l)))
            .Where(x => (x.Line.EventName is { } e && TimelineEvents.Contains(e)) || x.Line.Level >= Microsoft.Extensions.Logging.LogLevel.Warning)
            .OrderBy(x => x.Line.At)
            .ToList();
        if (!complete)
        {
            return lines.Count == 0 ? [] : ["log: " + string.Join(", ", lines.GroupBy(x => x.Line.EventName ?? x.Line.Level.ToString()).Select(g => $"{g.Key} ×{g.Count()}"))];
        }

        return [.. lines.Where(x => x.Line.EventName != "LibrdkafkaLog" && x.Line.EventName != "ConsumerClientError").TakeLast(600).Select(x => $"{(x.Line.At - _startedAt).TotalSeconds,6:0.00} s {x.Member} {x.Line.Level} {x.Line.EventName}: {x.Line.Message}")];
    }
}
