using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Consuming.ExactlyOnce;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using EventBus.Kafka.Tests.Configuration;

namespace EventBus.Kafka.Tests.Consuming;

/// <summary>The parts of exactly-once mode that need no broker: attempts, held outputs, the broker-version rule, the settings.</summary>
public sealed class ExactlyOncePartsTests
{
    [Fact]
    public async Task Publisher_FailedAttemptDiscarded_SucceededAttemptKeepsOnlyItsOwnPublishes_InOrder()
    {
        var publisher = Publisher();
        publisher.BeginAttempt();
        await publisher.PublishAsync("OUT", 1, "k", cancellationToken: TestContext.Current.CancellationToken);
        publisher.DiscardAttempt();
        publisher.BeginAttempt();
        await publisher.PublishAsync("OUT", 2, "k", cancellationToken: TestContext.Current.CancellationToken);
        var result = publisher.Publish("OUT", 3, "k");
        var batch = await publisher.PublishBatchAsync("OUT", [new EventMessage<int>(4), new EventMessage<int>(5)], TestContext.Current.CancellationToken);

        var records = publisher.EndAttempt();

        Assert.Equal(["2", "3", "4", "5"], records.Select(r => System.Text.Encoding.UTF8.GetString(r.Message.Value!)));
        Assert.All(records, r => Assert.Equal("out-topic", r.Topic));
        Assert.Equal(-1, result.Partition);
        Assert.Equal(Offset.Unset.Value, result.Offset);
        Assert.True(batch.AllSucceeded);
        Assert.NotNull(TestHeader(records[0].Message.Headers, EventHeaderNames.MessageId));
    }

    [Fact]
    public void Publisher_AfterTheAttempt_Throws()
    {
        var publisher = Publisher();
        publisher.BeginAttempt();
        publisher.EndAttempt();

        var ex = Assert.Throws<InvalidOperationException>(() => publisher.Publish("OUT", 1));

        Assert.Contains("attempt is over", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_TakeBelow_InOffsetOrder_LaterOnesStay_ClosedDropsAndRefuses()
    {
        var counters = new TransactionCounters();
        var outputs = new PartitionOutputs(new TopicPartition("in", 0), counters);
        outputs.TryAdd(7, [Record("seven")]);
        outputs.TryAdd(3, [Record("three-a")]);
        outputs.TryAdd(3, [Record("three-b")]);
        outputs.TryAdd(5, [Record("five")]);
        outputs.Observe(5);
        outputs.Observe(3);

        Assert.Equal(4, counters.OutputsWaiting); // what ctx.Producer.GetStatistics() reports as in flight
        var taken = outputs.TakeBelow(6);

        Assert.Equal(["three-a", "three-b", "five"], taken.Select(r => r.Topic));
        Assert.Equal(1, counters.OutputsWaiting);
        Assert.Equal(["seven"], outputs.TakeBelow(100).Select(r => r.Topic));
        Assert.Equal(3, outputs.FirstOffset);
        outputs.TryAdd(8, [Record("eight")]);
        outputs.Close();
        Assert.Equal(0, counters.OutputsWaiting);
        Assert.False(outputs.TryAdd(9, [Record("nine")]));
        Assert.Empty(outputs.TakeBelow(100));
    }

    [Theory]
    [InlineData("2.4-IV1", false)]
    [InlineData("2.4", false)]
    [InlineData("0.11.0", false)]
    [InlineData("2.5-IV0", true)]
    [InlineData("3.6-IV2", true)]
    public void BrokerVersion_GroupMetadataFrom25(string version, bool groupMetadata)
    {
        Assert.True(BrokerVersionProbe.TryParse(version, out var parsed));
        Assert.Equal(groupMetadata, parsed >= new Version(2, 5));
    }

    [Fact]
    public void Variables_BoundAndAppliedOverCode()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_CONSUMER_GROUP", "g"), ("KAFKA_TOPIC_IN", "in"),
            ("KAFKA_CONSUMER_EXACTLY_ONCE", "true"), ("KAFKA_CONSUMER_TRANSACTION_INTERVAL_MS", "250"), ("KAFKA_CONSUMER_TRANSACTION_MAX_RECORDS", "50")));
        var builder = new EventConsumerBuilder(options).AddHandler<int>("IN", (_, _) => Task.CompletedTask);

        builder.Prepare();

        Assert.True(builder.EffectiveOptions.ExactlyOnce);
        Assert.Equal(TimeSpan.FromMilliseconds(250), builder.EffectiveOptions.TransactionInterval);
        Assert.Equal(50, builder.EffectiveOptions.TransactionMaxRecords);
    }

    [Fact]
    public void Build_ExactlyOnceWithoutIdempotence_ReadUncommitted_PerMessageCommits_NamesEach()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_CONSUMER_GROUP", "g"), ("KAFKA_TOPIC_IN", "in"),
            ("KAFKA_CONSUMER_EXACTLY_ONCE", "true")));
        options.Producer.EnableIdempotence = false;
        options.Consumer.AdditionalProperties["isolation.level"] = "read_uncommitted";
        var builder = new EventConsumerBuilder(options)
            .Configure(o => o.CommitMode = CommitMode.PerMessage)
            .AddHandler<int>("IN", (_, _) => Task.CompletedTask);

        var ex = Assert.Throws<EventBusConfigurationException>(builder.Build);

        var names = ex.Problems.Select(p => p.Variable).ToList();
        Assert.Contains("KafkaProducerOptions.EnableIdempotence", names);
        Assert.Contains("KafkaConsumerOptions.AdditionalProperties[isolation.level]", names);
        Assert.Contains("EventConsumerOptions.CommitMode", names);
        Assert.Contains("KAFKA_CONSUMER_EXACTLY_ONCE needs the idempotent producer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Context_ProducerOutsideExactlyOnce_ThrowsSayingHowToEnableIt()
    {
        var route = ConsumerParts.Route("in");
        var context = (EventContext<string>)route.CreateContext(new ConsumeResult<byte[]?, byte[]?>
        {
            Topic = "in",
            Partition = 0,
            Offset = 1,
            Message = new Message<byte[]?, byte[]?> { Value = "x"u8.ToArray() },
        });

        var ex = Assert.Throws<InvalidOperationException>(() => context.Producer);

        Assert.Contains("KAFKA_CONSUMER_EXACTLY_ONCE=true", ex.Message, StringComparison.Ordinal);
    }

    private static TransactionalPublisher Publisher()
    {
        var options = EventBusOptions.FromVariables(Variables.With(("KAFKA_TOPIC_OUT", "out-topic")));
        return new TransactionalPublisher(options.Topics, new RecordBuilder(options, JsonEventSerializer.CreateDefault()), () => null!);
    }

    private static OutgoingRecord Record(string topic) => new(topic, new Message<byte[]?, byte[]?>());

    private static string? TestHeader(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : null;
}
