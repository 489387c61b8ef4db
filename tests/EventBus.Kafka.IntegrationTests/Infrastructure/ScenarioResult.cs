namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>
/// The figures of one reliability scenario, printed as one line: produced, acknowledged, handled, lost (must be 0),
/// duplicated (counted, within the bound), time to recover.
/// </summary>
/// <remarks>
/// <para><b>Duplicates</b> come from two places. <see cref="Redelivered"/>: a record handled again because its offset was
/// not committed when its partition moved (a crashed member, partitions lost). The bound is
/// <see cref="DuplicateBoundPerDisruption"/> per such disruption: what a member can have handled and not yet committed
/// is at most its in-flight records (the soft bound is <c>KAFKA_CONSUMER_MAX_POLL_RECORDS</c>, the hard bound twice that
/// when partitions are paused for back-pressure) plus the completed records not yet committed (fewer than
/// <c>CommitBatchSize</c>: the committer commits once that many completed). A graceful rebalance or stop commits what
/// it handled, so it adds nothing. On the mock cluster a <see cref="SilentHandovers">silent handover</see> counts too: the
/// mock readmits a member it expelled without telling it, so two members handle the partition until the next rebalance.
/// <see cref="WrittenTwice"/>: a record stored twice. On a real broker the idempotent
/// producer prevents it for a record published once, unless it bumped its epoch (<see cref="EpochBumps"/>: then at most
/// the publish window per bump); a publish the scenario retried (a retriable failure) may have been
/// stored by its first attempt too (<see cref="WrittenTwiceNotRetried"/> excludes those); librdkafka's mock cluster de-duplicates only transactional producers, so a produce request whose
/// response was lost (a broker set down) can be stored twice there, and the consumer then rightly handles both copies.</para>
/// </remarks>
internal sealed record ScenarioResult
{
    private static readonly object FileGate = new();

    public required string Scenario { get; init; }

    public required string Broker { get; init; }

    public required int Produced { get; init; }

    public required long Acknowledged { get; init; }

    public required long PublishFailed { get; init; }

    /// <summary>Gets the handler deliveries that succeeded, duplicates included.</summary>
    public required long Handled { get; init; }

    public required long DistinctHandled { get; init; }

    /// <summary>Gets how many distinct messages reached the DLQ.</summary>
    public required long DeadLettered { get; init; }

    /// <summary>Gets how many acknowledged messages were poison (their handler always throws).</summary>
    public required long Poisoned { get; init; }

    /// <summary>Gets the acknowledged messages neither handled nor dead-lettered.</summary>
    public required long Lost { get; init; }

    public required IReadOnlyList<int> LostSample { get; init; }

    /// <summary>Gets the acknowledged messages not found on the topic where the broker said they were stored.</summary>
    public required long MissingOnTopic { get; init; }

    /// <summary>Gets the messages acknowledged with no offset (librdkafka's implicit acknowledgement of an idempotent batch).</summary>
    public required long AcknowledgedWithoutOffset { get; init; }

    /// <summary>Gets the acknowledged messages the mock cluster already dropped (it keeps at most 5 MB per partition).</summary>
    public required long Truncated { get; init; }

    public required long WrittenTwice { get; init; }

    /// <summary>Gets the records stored twice that were published once (not retried): on a real broker, 0. A retried
    /// publish may be stored twice (its first attempt reached the log before the failure was reported), which the idempotent
    /// producer cannot tell from a new message.</summary>
    public required long WrittenTwiceNotRetried { get; init; }

    /// <summary>Gets up to 10 of those records with where their copies are: partition, offsets and timestamps.</summary>
    public IReadOnlyList<string> WrittenTwiceNotRetriedSample { get; init; } = [];

    /// <summary>Gets how many times librdkafka's idempotent producer bumped its epoch (its eos log on a real broker).</summary>
    public long EpochBumps { get; init; }

    /// <summary>Gets the most publishes the scenario has unacknowledged at once: what an epoch bump can write twice.</summary>
    public int PublishWindow { get; init; }

    public required long Redelivered { get; init; }

    /// <summary>Gets the members killed (crashes).</summary>
    public required int Kills { get; init; }

    /// <summary>Gets the partition losses the members saw (session expired, fenced).</summary>
    public required int Losses { get; init; }

    /// <summary>Gets the revocations whose commit the coordinator refused (found in the consumers' log lines).</summary>
    public required int RefusedRevocations { get; init; }

    /// <summary>
    /// Gets the assignments that took a partition from a member never told it lost it (see
    /// <see cref="OwnershipTimeline"/>): on librdkafka's mock cluster, a member its session timer expelled and whose
    /// JoinGroup it then accepted under the old member id. Counted as disruptions on the mock only; on a real broker the
    /// member is told (UNKNOWN_MEMBER_ID) and its loss is counted instead.
    /// </summary>
    public required int SilentHandovers { get; init; }

    /// <summary>Gets the events that may hand records over uncommitted: crashes, losses, refused revocations, and on the
    /// mock cluster silent handovers.</summary>
    public int Disruptions => Kills + Losses + RefusedRevocations + (IsMock ? SilentHandovers : 0);

    public required int DuplicateBoundPerDisruption { get; init; }

    public required int Faults { get; init; }

    public required TimeSpan? TimeToRecover { get; init; }

    public required bool CommittedEqualsEnd { get; init; }

    /// <summary>Gets the records after the committed offsets once every member stopped: a restarted group would handle them again.</summary>
    public required long UncommittedAtEnd { get; init; }

    public required string Offsets { get; init; }

    public required double PublishedSeconds { get; init; }

    /// <summary>Gets the longest time in which no message was handled for the first time (how long the flow stopped).</summary>
    public required double LongestPauseSeconds { get; init; }

    public required double DrainSeconds { get; init; }

    public required IReadOnlyList<string> PublishErrors { get; init; }

    /// <summary>Gets how many publishes failed with a retriable error and were published again (as a service would).</summary>
    public required int PublishRetries { get; init; }

    /// <summary>Gets the retriable errors behind <see cref="PublishRetries"/>, by error code.</summary>
    public required string RetryReasons { get; init; }

    public required string Members { get; init; }

    public required string ProducerStatistics { get; init; }

    public required bool IsMock { get; init; }

    /// <summary>Gets the first duplicate deliveries: which member handled the record first and when, which one again.</summary>
    public required IReadOnlyList<string> DuplicateSample { get; init; }

    /// <summary>Gets the consumers' rebalance, commit and client-error log lines (all of them when something went wrong).</summary>
    public required IReadOnlyList<string> Timeline { get; init; }

    /// <summary>Gets the redeliveries the scenario may have: the bound per disruption times the disruptions.</summary>
    public long DuplicateBound => (long)Disruptions * DuplicateBoundPerDisruption;

    /// <summary>Gets every duplicate delivery: handled (or dead-lettered) more than once.</summary>
    public long Duplicated => Redelivered + WrittenTwice;

    /// <summary>Gets the scenario's line.</summary>
    public string Line
    {
        get
        {
            var dead = DeadLettered > 0 || Poisoned > 0 ? FormattableString.Invariant($" + dead-lettered {DeadLettered:N0}") : "";
            var recover = TimeToRecover is { } t ? FormattableString.Invariant($"{t.TotalSeconds:0.0} s") : "n/a";
            return FormattableString.Invariant(
                $"RELIABILITY {Broker} | {Scenario} | produced {Produced:N0}, acknowledged {Acknowledged:N0}{(PublishRetries > 0 ? $" (publishes retried {PublishRetries:N0}: {RetryReasons})" : "")}, handled {Handled:N0}{dead}, lost {Lost:N0}, duplicated {Duplicated:N0} (redelivered {Redelivered:N0}, bound {DuplicateBound:N0}; written twice {WrittenTwice:N0}{(WrittenTwice > 0 ? $", of them published once {WrittenTwiceNotRetried:N0}" : "")}{(EpochBumps > 0 ? $"; producer epoch bumps {EpochBumps}" : "")}), time to recover {recover} | {Faults} faults, disruptions: {Kills} killed, {Losses} lost, {RefusedRevocations} refused revocations{(SilentHandovers > 0 ? $", {SilentHandovers} silent handovers" : "")}; committed = end: {(CommittedEqualsEnd ? "yes" : $"NO, {UncommittedAtEnd:N0} records behind")}, published for {PublishedSeconds:0} s, drained in {DrainSeconds:0.0} s");
        }
    }

    /// <summary>Prints the line (and the details under it) to the test output and appends it to <c>artifacts/reliability/lines.txt</c>.</summary>
    /// <param name="output">The test output.</param>
    public void Print(ITestOutputHelper output)
    {
        output.WriteLine(Line);
        Console.Error.WriteLine(Line); // stderr: shown by `dotnet test` at normal verbosity (.ci/run), stdout is not
        output.WriteLine($"  longest pause in handling {LongestPauseSeconds:0.0} s; committed/end {Offsets}; missing on the topic {MissingOnTopic} (acknowledged without an offset {AcknowledgedWithoutOffset}), dropped by the mock's size cap {Truncated}; publish failures {PublishFailed}{(PublishErrors.Count > 0 ? " (" + string.Join(" | ", PublishErrors) + ")" : "")}");
        output.WriteLine($"  lost sample: [{string.Join(", ", LostSample)}]; producer {ProducerStatistics}");
        output.WriteLine($"  members: {Members}");
        if (DuplicateSample.Count > 0)
        {
            output.WriteLine($"  duplicates: {string.Join("; ", DuplicateSample)}");
        }
        foreach (var line in Timeline)
        {
            output.WriteLine("  " + line);
        }
        if (ArtifactsDirectory() is { } directory)
        {
            lock (FileGate)
            {
                Directory.CreateDirectory(directory);
                File.AppendAllText(Path.Combine(directory, "lines.txt"), $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {Line}{Environment.NewLine}");
            }
        }
    }

    /// <summary>
    /// The scenario's acceptance: every acknowledged message handled (or dead-lettered) and on the topic, nothing failed to
    /// publish, redeliveries within the bound, no record stored twice on a real broker, every offset committed.
    /// </summary>
    public void AssertNothingLost()
    {
        var context = Environment.NewLine + Line + Environment.NewLine + Members + Environment.NewLine + string.Join(Environment.NewLine, DuplicateSample);
        Assert.True(Lost == 0, $"{Lost} acknowledged messages were never handled, e.g. #{string.Join(", #", LostSample)}.{context}");
        Assert.True(MissingOnTopic == 0, $"{MissingOnTopic} acknowledged messages are not on the topic.{context}");
        Assert.True(PublishFailed == 0 && Acknowledged == Produced, $"{PublishFailed} publishes failed: {string.Join(" | ", PublishErrors)}.{context}");
        // The members' rebalance, commit and error lines (the last 40) say which disruption the bound missed.
        var timeline = Environment.NewLine + string.Join(Environment.NewLine, Timeline.TakeLast(40));
        Assert.True(Redelivered <= DuplicateBound, $"{Redelivered} redeliveries exceed the bound {DuplicateBound} ({Disruptions} disruptions × {DuplicateBoundPerDisruption}).{context}{timeline}");
        // On a real broker a record published once is stored once, except after librdkafka's idempotent producer bumped
        // its epoch (a leader that lost the tail of its sequence, as after every broker went down): the broker cannot
        // de-duplicate across epochs, so what was unacknowledged then (at most the publish window) may be stored twice.
        Assert.True(IsMock || WrittenTwiceNotRetried == 0 || (EpochBumps > 0 && WrittenTwiceNotRetried <= EpochBumps * PublishWindow),
            $"{WrittenTwiceNotRetried} records published once were stored twice on a real broker despite the idempotent producer ({EpochBumps} epoch bumps): {string.Join("; ", WrittenTwiceNotRetriedSample)}.{context}");
        Assert.True(DeadLettered == Poisoned, $"{Poisoned} poison messages, {DeadLettered} in the DLQ.{context}");
        // On the mock a revocation's commit can be refused (REBALANCE_IN_PROGRESS: librdkafka's mock refuses commits while
        // the group rebalances, where Kafka accepts the current generation's), and the members stop one after another,
        // each stop a rebalance: what such a refusal leaves uncommitted is a future redelivery, counted against the bound.
        // On a real broker every offset must be committed.
        Assert.True(CommittedEqualsEnd || (IsMock && RefusedRevocations > 0 && Redelivered + UncommittedAtEnd <= DuplicateBound),
            $"committed offsets are not the end offsets ({UncommittedAtEnd} records behind): {Offsets}.{context}");
    }

    private static string? ArtifactsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventBus.sln")))
            {
                return Path.Combine(dir.FullName, "artifacts", "reliability");
            }
        }

        return null;
    }
}
