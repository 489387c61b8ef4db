using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Tests.Diagnostics;

public sealed class TelemetryStatisticsTests
{
    // The shape of librdkafka's statistics (STATISTICS.md), cut down to what the lag gauge reads.
    private const string Statistics = """
        {
          "name": "svc-host-1#consumer-1", "type": "consumer", "ts": 1234,
          "brokers": { "localhost:9092/1": { "toppars": { "orders-0": { "topic": "orders", "partition": 0 } } } },
          "topics": {
            "orders": {
              "topic": "orders",
              "partitions": {
                "0": { "partition": 0, "desired": true, "fetch_state": "active", "hi_offset": 120, "committed_offset": 100, "consumer_lag": 20 },
                "1": { "partition": 1, "desired": true, "fetch_state": "active", "hi_offset": 50, "committed_offset": 50, "consumer_lag": 0 },
                "2": { "partition": 2, "desired": false, "fetch_state": "none", "hi_offset": 70, "committed_offset": -1001, "consumer_lag": -1 },
                "3": { "partition": 3, "desired": true, "fetch_state": "active", "hi_offset": 9, "committed_offset": -1001, "consumer_lag": -1 },
                "-1": { "partition": -1, "desired": false, "hi_offset": -1001, "consumer_lag": -1 }
              }
            },
            "payments": {
              "topic": "payments",
              "partitions": {
                "4": { "partition": 4, "desired": false, "hi_offset": 10, "committed_offset": 2, "consumer_lag": 8 },
                "5": { "partition": 5, "desired": true, "hi_offset": 10, "committed_offset": 2, "consumer_lag": 8 }
              }
            }
          },
          "cgrp": { "state": "up", "join_state": "steady" }
        }
        """;

    [Fact]
    public void Parse_AssignedPartitionsWithACommittedOffset_OneMeasurementEach_TaggedWithGroupTopicPartition()
    {
        var lags = ConsumerLagStatistics.Parse(Statistics, "billing");

        var described = lags.Select(m => (
            Topic: Tag(m.Tags, "messaging.destination.name"),
            Partition: Tag(m.Tags, "messaging.destination.partition.id"),
            m.Value)).ToList();
        Assert.Equal([("orders", "0", 20L), ("orders", "1", 0L), ("payments", "5", 8L)], described);
        Assert.All(lags, m =>
        {
            Assert.Equal("billing", Tag(m.Tags, "messaging.consumer.group.name"));
            Assert.Equal("kafka", Tag(m.Tags, "messaging.system"));
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"topics": []}""")]
    [InlineData("""{"type": "consumer"}""")]
    [InlineData("""{"topics": {"t": {"partitions": {"0": {"partition": "zero", "consumer_lag": 1}}}}}""")]
    public void Parse_DocumentWithoutLag_NoMeasurement(string json) => Assert.Empty(ConsumerLagStatistics.Parse(json, "g"));

    [Fact]
    public void OnStatistics_NoListenerOnTheGauge_NotParsed()
    {
        using var telemetry = new ConsumerTelemetry("g");
        telemetry.OnStatistics(Statistics);
        Assert.Empty(telemetry.Lag);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
