using Confluent.Kafka;
using EventBus.Kafka.IntegrationTests.Infrastructure;
using EventBus.Kafka.IntegrationTests.Reliability;

namespace EventBus.Kafka.IntegrationTests.ExactlyOnce;

/// <summary>A broker of the kit stopped while exactly-once commit cycles run (every 50 ms), and started again.</summary>
[Collection(BrokerRestartCollection.Name)]
public sealed class ExactlyOnceBrokerStopTests(KafkaTestBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task StopBrokerDuringCommitCycles_Rf3MinIsr2_ReadCommittedSeesEachInputOnce()
    {
        broker.Require(BrokerCapabilities.BrokerRestart, "Stopping and starting a broker during exactly-once commit cycles");
        broker.RequireBrokers(3, "Keeping every partition writable with RF 3 and min ISR 2 while one broker is down");
        const int count = 6_000;
        var pipeline = await ExactlyOncePipeline.CreateAsync(broker, "eos-stop", count);
        var options = pipeline.Options();

        // The broker to stop leads partition 0 of the outputs: produces into the open transactions lose their leader.
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var victim = admin.GetMetadata(pipeline.Output, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Single(p => p.PartitionId == 0).Leader;

        await using var consumer = pipeline.Build(options, before: _ => Task.Delay(1));
        consumer.Start();
        var stopped = false;
        long cyclesAtStop, cyclesAtStart;
        try
        {
            await Wait.UntilAsync(() => pipeline.HandlerCalls.Count >= 1_000, TimeSpan.FromSeconds(90), "1000 records handled before the stop");
            cyclesAtStop = consumer.GetStatistics().ExactlyOnce!.CommitCycles;
            await broker.StopBrokerAsync(victim);
            stopped = true;
            await Wait.UntilAsync(() => pipeline.HandlerCalls.Count >= 3_000, TimeSpan.FromSeconds(120), $"progress with broker {victim} down (have {pipeline.HandlerCalls.Count})");
            await broker.StartBrokerAsync(victim);
            stopped = false;
            cyclesAtStart = consumer.GetStatistics().ExactlyOnce!.CommitCycles;
        }
        finally
        {
            if (stopped)
            {
                await broker.StartBrokerAsync(victim);
            }
        }

        await pipeline.WaitAllCommittedAsync(TimeSpan.FromSeconds(180));
        await consumer.StopAsync(TestContext.Current.CancellationToken);
        var statistics = consumer.GetStatistics();

        var outputs = pipeline.Count(pipeline.Output);
        var (lost, duplicated, line) = ExactlyOncePipeline.Describe(count, outputs, Enumerable.Range(0, count));
        output.WriteLine($"{line}; broker {victim} (leader of output partition 0) stopped after {cyclesAtStop} commit cycles, started again after {cyclesAtStart}; " +
            $"{pipeline.HandlerCalls.Values.Sum()} handler calls; {statistics.ExactlyOnce}");
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicated);
    }
}
