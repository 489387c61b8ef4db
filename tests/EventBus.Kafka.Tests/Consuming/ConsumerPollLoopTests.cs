using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Serialization;

namespace EventBus.Kafka.Tests.Consuming;

/// <summary>The poll loop driven step by step through a fake Confluent consumer: races made deterministic.</summary>
public sealed class ConsumerPollLoopTests
{
    private static readonly TopicPartition P0 = new("in", 0);
    private static readonly TopicPartition P1 = new("in", 1);

    [Fact]
    public async Task RevokeServedInsideABurst_StartsTheBurstsLanes_DoesNotWaitTheRevokeTimeout()
    {
        var fake = new FakeConsumer();
        var handled = new ConcurrentQueue<long>();
        var revoked = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = new Stopwatch();
        fake.Then(f =>
        {
            f.AssignPartitions(P0);
            return null;
        })
            .Then(_ => FakeConsumer.Record("in", 0, 0)) // the poll that starts a burst
            .Then(_ => FakeConsumer.Record("in", 0, 1)) // Consume(0) inside the burst
            .Then(f =>
            {
                // Still inside the burst: librdkafka serves the revoke here, before the burst's lanes were started.
                clock.Start();
                f.RevokePartitions(P0);
                return null;
            });
        await using var consumer = Consumer(fake, o =>
        {
            o.RevokeTimeout = TimeSpan.FromSeconds(10);
            o.PartitionsRevoked = _ => revoked.TrySetResult(clock.Elapsed);
        }, ctx => handled.Enqueue(ctx.Offset));

        consumer.Start();
        var took = await revoked.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);


        Assert.True(took < TimeSpan.FromSeconds(3), $"the revoke waited {took} for lanes that were never started");

        // Records not started when their partition goes away are left to the new owner: not handled, not committed.
        Assert.Empty(handled);
        Assert.Empty(fake.Commits);
        Assert.Equal(0, consumer.GetStatistics().InFlight);
    }

    [Fact]
    public async Task Shutdown_PartitionRevokedWhileTheCloseRetriesItsCommit_IsNotCommittedAfterwards()
    {
        var fake = new FakeConsumer();
        var handled = 0;
        fake.Then(f =>
        {
            f.AssignPartitions(P0, P1);
            return null;
        })
            .Then(_ => FakeConsumer.Record("in", 0, 0))
            .Then(_ => FakeConsumer.Record("in", 1, 0));
        await using var consumer = Consumer(fake, o => o.CommitInterval = TimeSpan.FromHours(1), _ => Interlocked.Increment(ref handled));
        consumer.Start();
        await Until(() => Volatile.Read(ref handled) == 2 && consumer.GetStatistics().InFlight == 0, "both records handled");

        // The stop's first commit is refused (a rebalance in progress); the rebalance then takes P1 away while the
        // close keeps polling, and P1's own revoke commit is refused too.
        var attemptsAfterRevoke = -1;
        fake.RefuseCommits(ErrorCode.RebalanceInProgress, ErrorCode.RebalanceInProgress);
        fake.OnCommitRefused = f =>
        {
            f.OnCommitRefused = null;
            f.Then(x =>
            {
                x.RevokePartitions(P1);
                attemptsAfterRevoke = x.CommitAttempts.Count;
                return null;
            });
        };
        await consumer.StopAsync(TestContext.Current.CancellationToken);

        var attempts = fake.CommitAttempts.ToList();
        Assert.True(attemptsAfterRevoke > 0, "the revoke happened during the close");
        Assert.DoesNotContain(attempts.Skip(attemptsAfterRevoke), a => a.Any(o => o.TopicPartition == P1));
        Assert.Equal([new TopicPartitionOffset(P0, 1)], fake.Commits.Last());
        Assert.True(fake.Closed);
    }

    [Fact]
    public async Task StopAsync_FromAHandler_ReturnsAtOnce_AndTheRecordIsCommitted()
    {
        var fake = new FakeConsumer();
        fake.Then(f =>
        {
            f.AssignPartitions(P0);
            return null;
        }).ThenRecords("in", 0, 0, 1);
        EventConsumer? consumer = null;
        var returned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        consumer = Consumer(fake, o => o.ShutdownTimeout = TimeSpan.FromSeconds(30), ctx =>
        {
            consumer!.StopAsync().GetAwaiter().GetResult(); // would deadlock if it waited for the stop
            returned.TrySetResult();
        });
        consumer.Start();
        await returned.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await Until(() => consumer.State == EventConsumerState.Stopped, "the consumer to stop");

        Assert.Equal([new TopicPartitionOffset(P0, 1)], fake.Commits.Last());
        await consumer.DisposeAsync();
    }

    private static EventConsumer Consumer(FakeConsumer fake, Action<EventConsumerOptions> configure, Action<EventContext<string>> handle)
    {
        var options = EventBusOptions.FromVariables(new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "localhost:9",
            ["SERVICE_NAME"] = "unit",
            ["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT",
            ["KAFKA_CONSUMER_GROUP"] = "g",
        });
        var consumerOptions = new EventConsumerOptions { CloseTimeout = TimeSpan.FromSeconds(5) };
        configure(consumerOptions);
        var route = new SingleRoute<string>("in", (ctx, _) =>
        {
            handle(ctx);
            return Task.CompletedTask;
        }, JsonEventSerializer.CreateDefault(), null);
        return new EventConsumer(options, consumerOptions, [route], null, null, fake.Factory);
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"timed out waiting for {what}");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
