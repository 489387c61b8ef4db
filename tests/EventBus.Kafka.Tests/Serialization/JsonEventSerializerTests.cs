using System.Text;
using System.Text.Json;
using EventBus.Kafka.Serialization;

namespace EventBus.Kafka.Tests.Serialization;

public sealed class JsonEventSerializerTests
{
    [Fact]
    public void RoundTrip_WebDefaults_CamelCaseAndCaseInsensitiveRead()
    {
        var serializer = new JsonEventSerializer();

        var bytes = serializer.Serialize(new Shipment("S-1", 3));

        Assert.Equal("{\"id\":\"S-1\",\"parcels\":3}", Encoding.UTF8.GetString(bytes));
        Assert.Equal(new Shipment("S-1", 3), serializer.Deserialize<Shipment>(bytes));
        Assert.Equal(new Shipment("S-2", 4), serializer.Deserialize<Shipment>("{\"ID\":\"S-2\",\"Parcels\":4}"u8));
        Assert.Equal("application/json", serializer.ContentType);
    }

    [Fact]
    public void Deserialize_InvalidJson_ThrowsJsonException()
    {
        Assert.ThrowsAny<JsonException>(() => new JsonEventSerializer().Deserialize<Shipment>("not json"u8));
    }

    [Fact]
    public void CustomOptions_Used()
    {
        var serializer = new JsonEventSerializer(new JsonSerializerOptions(JsonSerializerOptions.Default) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

        Assert.Equal("{\"id\":\"S-3\",\"parcels\":1}", Encoding.UTF8.GetString(serializer.Serialize(new Shipment("S-3", 1))));
    }

    private sealed record Shipment(string Id, int Parcels);
}
