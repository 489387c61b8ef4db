using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.Testing;

namespace EventBus.Kafka.IntegrationTests.Configuration;

/// <summary>The mapped producer configuration (idempotent, acks=all) loses and duplicates nothing through a broker outage.</summary>
public sealed class BrokerOutageTests(ITestOutputHelper output)
{
    private const int MessageCount = 10_000;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task BrokerDownWhileProducing_EveryMessageOnTheTopicExactlyOnce()
    {
        var ct = TestContext.Current.CancellationToken;

        // A private cluster: taking a broker of the shared one down would disturb the tests running beside this one.
        await using var mock = new MockKafkaCluster(3);
        var topic = KafkaTestBroker.UniqueTopic("outage");
        mock.CreateTopic(topic, 6, 3);

        // The mock places leaders at random; spread them so broker 1 leads partitions 0 and 3.
        for (var partition = 0; partition < 6; partition++)
        {
            mock.SetPartitionLeader(topic, partition, (partition % 3) + 1);
        }
        var options = KafkaTestBroker.CreateOptions(mock.BootstrapServers, "outage");
        var config = KafkaClientConfigFactory.CreateProducerConfig(options);
        Assert.True(config.EnableIdempotence);

        var delivered = 0;
        var failed = 0;
        var downAt = -1;
        using var producer = new ProducerBuilder<string, string>(config).Build();
        var outage = Stopwatch.StartNew();
        var stuckDuringOutage = 0;
        for (var i = 0; i < MessageCount; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = "key-" + (i % 100), Value = i.ToString(CultureInfo.InvariantCulture) }, report =>
            {
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                }
                else
                {
                    Interlocked.Increment(ref delivered);
                }
            });

            if (i == 2_000)
            {
                // Take broker 1 down once the first fifth is acknowledged; the rest is produced while it is down.
                await Wait.UntilAsync(() => Volatile.Read(ref delivered) > 1_000, TimeSpan.FromSeconds(30), "the first messages to be acknowledged");
                mock.SetBrokerDown(1);
                downAt = Volatile.Read(ref delivered);
                outage.Restart();
            }
        }

        // Keep the broker down for the outage (the scenario's length, not a synchronisation), then bring it back.
        var remaining = Outage - outage.Elapsed;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, ct);
        }

        producer.Poll(TimeSpan.Zero);
        stuckDuringOutage = MessageCount - Volatile.Read(ref delivered);
        mock.SetBrokerUp(1);
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));

        var records = TopicReader.ReadAll(mock.BootstrapServers, topic, TimeSpan.FromSeconds(60));
        var counts = records.GroupBy(r => int.Parse(r.Message.Value, CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"delivered before outage {downAt}, still undelivered after {Outage.TotalSeconds} s down: {stuckDuringOutage}, delivered {delivered}, failed {failed}, on topic {records.Count}, distinct {counts.Count}");

        Assert.True(stuckDuringOutage > 0, "the outage held some messages back (partitions led by broker 1)");
        Assert.Equal(0, failed);
        Assert.Equal(MessageCount, delivered);
        Assert.Equal(MessageCount, records.Count);
        Assert.Equal(Enumerable.Range(0, MessageCount), counts.Keys.Order());
        Assert.All(counts.Values, c => Assert.Equal(1, c));
    }
}
