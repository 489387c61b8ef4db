using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.IntegrationTests.Infrastructure;

namespace EventBus.Kafka.IntegrationTests.Configuration;

/// <summary>The mapped client configurations work end to end against the run's broker.</summary>
public sealed class MappedConfigRoundTripTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    private const int MessageCount = 10_000;
    private const int Partitions = 6;

    [Fact]
    public async Task RoundTrip_10000Messages_CooperativeStickyGroup_CommittedEqualsEndOffsets()
    {
        var ct = TestContext.Current.CancellationToken;
        var topic = KafkaTestBroker.UniqueTopic("roundtrip");
        await broker.CreateTopicAsync(topic, Partitions, 3);
        var options = broker.CreateOptions("roundtrip", ("KAFKA_CONSUMER_GROUP", "roundtrip-" + topic), ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "10000"), ("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "1000"));

        TestData.Produce(KafkaClientConfigFactory.CreateProducerConfig(options), topic, 0, MessageCount);

        // Two members of one cooperative-sticky group; the second joins once the first is consuming, so partitions
        // move incrementally. Each member commits synchronously what it processed, and again on revoke.
        var seen = new ConcurrentDictionary<int, int>();
        var revocations = 0;
        var uncommittedAtRefusedRevocation = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var firstStarted = new TaskCompletionSource();
        var members = new[]
        {
            Task.Run(() => RunMember(options, topic, seen, firstStarted, ref revocations, ref uncommittedAtRefusedRevocation, stop.Token), ct),
            firstStarted.Task.ContinueWith(_ => RunMember(options, topic, seen, null, ref revocations, ref uncommittedAtRefusedRevocation, stop.Token), ct, TaskContinuationOptions.None, TaskScheduler.Default),
        };
        await Wait.UntilAsync(() => seen.Count == MessageCount, TimeSpan.FromSeconds(120), $"{MessageCount} distinct messages (have {seen.Count})");
        await stop.CancelAsync();
        var assigned = await Task.WhenAll(members);

        var duplicates = seen.Values.Sum(n => n - 1);
        output.WriteLine($"broker: {broker.Description}; distinct {seen.Count}, duplicates {duplicates}, revocations {revocations} (uncommitted at refused revocation commits {uncommittedAtRefusedRevocation}), partitions held by each member when it stopped: {string.Join("/", assigned)}");
        Assert.Equal(Enumerable.Range(0, MessageCount), seen.Keys.Order());

        // A record is read twice only when the commit on its partition's revocation was refused (the mock refuses
        // commits while the group rebalances; a member that missed its session loses its partitions): at most the
        // records consumed and not yet committed on those partitions then.
        Assert.InRange(duplicates, 0, uncommittedAtRefusedRevocation);

        using var checker = new ConsumerBuilder<string, string>(KafkaClientConfigFactory.CreateConsumerConfig(options)).Build();
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToList();
        var committed = TestData.Committed(checker, partitions).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        var ends = partitions.ToDictionary(p => p.Partition.Value, p => checker.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
        output.WriteLine("committed/end per partition: " + string.Join(", ", ends.Keys.Order().Select(p => $"{p}:{committed[p]}/{ends[p]}")));
        Assert.Equal(MessageCount, ends.Values.Sum());
        Assert.Equal(ends, committed);
    }

    private static int RunMember(EventBusOptions options, string topic, ConcurrentDictionary<int, int> seen, TaskCompletionSource? started, ref int revocations, ref int uncommittedAtRefusedRevocation, CancellationToken stop)
    {
        var config = KafkaClientConfigFactory.CreateConsumerConfig(options);
        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, config.PartitionAssignmentStrategy);
        Assert.False(config.EnableAutoCommit);
        var pending = new Dictionary<TopicPartition, TopicPartitionOffset>();
        var revoked = 0;
        var refusedUncommitted = 0;
        var uncommitted = new Dictionary<TopicPartition, int>();
        using var consumer = new ConsumerBuilder<string, string>(config)
            .SetPartitionsRevokedHandler((c, lost) =>
            {
                // Cooperative: only the partitions that move are revoked. Commit what was processed on them.
                var mine = lost.Select(l => l.TopicPartition).ToHashSet();
                var toCommit = pending.Where(p => mine.Contains(p.Key)).Select(p => p.Value).ToList();
                if (toCommit.Count > 0 && !TryCommit(c, toCommit))
                {
                    refusedUncommitted += mine.Sum(tp => uncommitted.GetValueOrDefault(tp));
                }

                foreach (var tp in mine)
                {
                    pending.Remove(tp);
                    uncommitted.Remove(tp);
                }

                revoked++;
            })
            .Build();
        consumer.Subscribe(topic);
        var sinceCommit = 0;
        while (!stop.IsCancellationRequested)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            started?.TrySetResult();
            if (result is null)
            {
                continue;
            }

            seen.AddOrUpdate(int.Parse(result.Message.Value, CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
            pending[result.TopicPartition] = new TopicPartitionOffset(result.TopicPartition, result.Offset + 1);
            uncommitted[result.TopicPartition] = uncommitted.GetValueOrDefault(result.TopicPartition) + 1;
            if (++sinceCommit >= 500 && TryCommit(consumer, pending.Values))
            {
                sinceCommit = 0;
                uncommitted.Clear();
            }
        }

        // The final commit can meet a rebalance (the other member joining or leaving): keep polling so the
        // rebalance completes (its revoke handler commits moved partitions), then commit what is still ours.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (pending.Count > 0 && !TryCommit(consumer, pending.Values))
        {
            Assert.True(DateTime.UtcNow < deadline, "final commit kept failing for 30 s");
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } late)
            {
                seen.AddOrUpdate(int.Parse(late.Message.Value, CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                pending[late.TopicPartition] = new TopicPartitionOffset(late.TopicPartition, late.Offset + 1);
                uncommitted[late.TopicPartition] = uncommitted.GetValueOrDefault(late.TopicPartition) + 1;
            }
        }

        var assignedAtEnd = consumer.Assignment.Count;
        consumer.Close();
        Interlocked.Add(ref revocations, revoked);
        Interlocked.Add(ref uncommittedAtRefusedRevocation, refusedUncommitted);
        return assignedAtEnd;
    }

    /// <summary>
    /// Commits; a commit refused because the group is rebalancing, or not answered in time by a loaded coordinator, is
    /// expected and retried by the next one.
    /// </summary>
    private static bool TryCommit(IConsumer<string, string> consumer, IEnumerable<TopicPartitionOffset> offsets)
    {
        try
        {
            consumer.Commit(offsets);
            return true;
        }
        catch (KafkaException ex) when (ex.Error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId or ErrorCode.Local_State
            or ErrorCode.RequestTimedOut or ErrorCode.Local_TimedOut or ErrorCode.NotCoordinatorForGroup or ErrorCode.GroupCoordinatorNotAvailable)
        {
            return false;
        }
    }
}
