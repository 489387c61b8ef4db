using System.Text;
using System.Text.Json;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using EventBus.Kafka.Tests.Configuration;

namespace EventBus.Kafka.Tests.Serialization;

/// <summary>The default JSON keeps the payload type's contract, reading and writing alike.</summary>
public sealed class TypedContractTests
{
    private readonly JsonEventSerializer _serializer = JsonEventSerializer.CreateDefault();

    [Fact]
    public void DefaultOptions_RespectNullableAnnotationsAndRequiredConstructorParameters()
    {
        Assert.True(_serializer.Options.RespectNullableAnnotations);
        Assert.True(_serializer.Options.RespectRequiredConstructorParameters);
        Assert.True(new JsonEventSerializer().Options.RespectNullableAnnotations);
    }

    [Theory]
    [InlineData("{\"somethingElse\":true}")]
    [InlineData("{\"orderId\":null,\"amount\":1}")]
    [InlineData("{\"amount\":1}")]
    public void Read_ValueThatBreaksTheRecordsContract_JsonException(string json)
    {
        var error = Assert.ThrowsAny<JsonException>(() => _serializer.Deserialize<Order>(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("orderId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NullableMembersMayBeNullOrMissing_UnknownPropertiesIgnored()
    {
        var order = _serializer.Deserialize<Order>("{\"orderId\":\"o-1\",\"amount\":2,\"note\":null,\"added\":\"later\"}"u8);
        var missingOptional = _serializer.Deserialize<Order>("{\"orderId\":\"o-1\",\"amount\":2}"u8);

        Assert.Equal(new Order("o-1", 2, null), order);
        Assert.Equal(new Order("o-1", 2, null), missingOptional);
    }

    [Fact]
    public void Read_ClassWithRequiredMember_MissingOrNull_JsonException()
    {
        Assert.ThrowsAny<JsonException>(() => _serializer.Deserialize<Shipment>("{\"parcels\":1}"u8));
        Assert.ThrowsAny<JsonException>(() => _serializer.Deserialize<Shipment>("{\"id\":null}"u8));
        Assert.Equal("s-1", _serializer.Deserialize<Shipment>("{\"id\":\"s-1\"}"u8).Id);
    }

    [Fact]
    public void Write_NonNullableMemberHoldingNull_JsonException_TheProducerRefusesItAtPublishTime()
    {
        var broken = new Order(null!, 1, null);
        using var producer = new EventProducer(EventBusOptions.FromVariables(Variables.With(
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9"), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"), ("KAFKA_PRODUCER_CLOSE_TIMEOUT", "0"),
            ("KAFKA_TOPIC_ORDERS", "orders"))));

        var direct = Assert.ThrowsAny<JsonException>(() => _serializer.Serialize(broken));
        // Thrown by the call itself, before anything is queued.
        void Publish() => _ = producer.PublishAsync("ORDERS", broken, cancellationToken: TestContext.Current.CancellationToken);
        var published = Assert.ThrowsAny<JsonException>(Publish);

        Assert.Contains("orderId", direct.Message, StringComparison.Ordinal);
        Assert.Contains("orderId", published.Message, StringComparison.Ordinal);
        Assert.Equal(0, producer.GetStatistics().InFlight);
    }

    private sealed record Order(string OrderId, decimal Amount, string? Note = null);

    private sealed class Shipment
    {
        public required string Id { get; init; }

        public int Parcels { get; init; }
    }
}
