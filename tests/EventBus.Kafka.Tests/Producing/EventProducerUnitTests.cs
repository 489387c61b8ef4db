using System.Diagnostics;
using System.Text;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using EventBus.Kafka.Tests.Configuration;

namespace EventBus.Kafka.Tests.Producing;

/// <summary>Producer behaviour that needs no broker: the Confluent producer is created but never reaches one.</summary>
public sealed partial class EventProducerUnitTests : IDisposable
{
    private readonly EventProducer _producer = new(EventBusOptions.FromVariables(Variables.With(
        ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9"), ("SERVICE_NAME", "billing"), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"),
        ("KAFKA_PRODUCER_CLOSE_TIMEOUT", "0"), ("KAFKA_TOPIC_INVOICES", "billing.invoices"))));

    public void Dispose() => _producer.Dispose();

    [Fact]
    public void ClientId_ServiceHostAndEightHex()
    {
        var host = HostCharacters().Replace(Environment.MachineName, "-");

        Assert.Matches($"^billing-{Regex.Escape(host)}-[0-9a-f]{{8}}$", _producer.ClientId);
    }

    [Fact]
    public void Headers_StandardSet_EncodedAsUtf8Text()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var record = _producer.CreateRecord(new Invoice("INV-1", 42.5m), null, "customer-7", null, out var messageId);

        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(["timestamp", "source", "message-id", "content-type"], record.Headers.Select(h => h.Key));
        Assert.InRange(long.Parse(Text(record.Headers, "timestamp"), System.Globalization.CultureInfo.InvariantCulture), before, after);
        Assert.Equal("billing", Text(record.Headers, "source"));
        Assert.Equal(Encoding.ASCII.GetString(messageId), Text(record.Headers, "message-id"));
        Assert.Matches("^[0-9a-f]{32}$", Encoding.ASCII.GetString(messageId));
        Assert.Equal("application/json", Text(record.Headers, "content-type"));
        Assert.Equal("customer-7", Encoding.UTF8.GetString(record.Key!));
    }

    [Fact]
    public void PublishResult_IdFromHeaderBytes_EqualsIdFromString()
    {
        var when = DateTimeOffset.UnixEpoch;
        var fromBytes = new PublishResult("t", 1, 2, when, Encoding.UTF8.GetBytes("ïd-1"));
        var fromString = new PublishResult("t", 1, 2, when, "ïd-1");

        Assert.Equal("ïd-1", fromBytes.MessageId);
        Assert.Equal(fromString, fromBytes);
        Assert.Equal(fromString.GetHashCode(), fromBytes.GetHashCode());
        Assert.NotEqual(fromString, new PublishResult("t", 1, 3, when, "ïd-1"));
    }

    [Fact]
    public void Headers_MessageIdsUnique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => { _producer.CreateRecord("x", null, null, null, out var id); return Encoding.ASCII.GetString(id); }).ToHashSet();

        Assert.Equal(1000, ids.Count);
    }

    [Fact]
    public void Headers_InsideActivity_TraceParentAndState()
    {
        using var activity = new Activity("unit").SetIdFormat(ActivityIdFormat.W3C).Start();
        activity.TraceStateString = "vendor=1";

        var record = _producer.CreateRecord("x", null, null, null, out _);

        Assert.Equal(activity.Id, Text(record.Headers, "traceparent"));
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", Text(record.Headers, "traceparent"));
        Assert.Equal("vendor=1", Text(record.Headers, "tracestate"));
    }

    [Fact]
    public void Headers_NoActivity_NoTraceHeaders()
    {
        Assert.Null(Activity.Current);

        var record = _producer.CreateRecord("x", null, null, null, out _);

        Assert.False(record.Headers.TryGetLastBytes("traceparent", out _));
    }

    [Fact]
    public void Headers_CallerHeaders_AddedAndStandardNamesReplaced()
    {
        var record = _producer.CreateRecord("x", null, null, [new("tenant", "acme"), new("message-id", "caller-id"), new("source", "upstream")], out var messageId);

        Assert.Equal("acme", Text(record.Headers, "tenant"));
        Assert.Equal("caller-id", Encoding.UTF8.GetString(messageId));
        Assert.Single(record.Headers, h => h.Key == "message-id");
        Assert.Single(record.Headers, h => h.Key == "source");
        Assert.Equal("upstream", Text(record.Headers, "source"));
    }

    [Fact]
    public void Serialization_BytesPassThroughUntouched()
    {
        var payload = new byte[] { 0, 1, 2, 255 };

        var record = _producer.CreateRecord(payload, null, null, null, out _);

        Assert.Same(payload, record.Value);
        Assert.Equal("application/octet-stream", Text(record.Headers, "content-type"));
    }

    [Fact]
    public void Serialization_StringPassesThroughAsUtf8()
    {
        var record = _producer.CreateRecord("{\"already\":\"json\"} ünïcødé", null, null, null, out _);

        Assert.Equal("{\"already\":\"json\"} ünïcødé", Encoding.UTF8.GetString(record.Value!));
        Assert.Equal("text/plain; charset=utf-8", Text(record.Headers, "content-type"));
    }

    [Fact]
    public void Serialization_ObjectAsCamelCaseJson()
    {
        var record = _producer.CreateRecord(new Invoice("INV-1", 42.5m), null, null, null, out _);

        Assert.Equal("{\"number\":\"INV-1\",\"amount\":42.5}", Encoding.UTF8.GetString(record.Value!));
    }

    [Fact]
    public void Serialization_JsonTypeInfo_UsesSourceGeneratedContract()
    {
        var record = _producer.CreateRecord(new Invoice("INV-2", 1m), InvoiceJsonContext.Default.Invoice, null, null, out _);

        Assert.Equal("{\"Number\":\"INV-2\",\"Amount\":1}", Encoding.UTF8.GetString(record.Value!));
        Assert.Equal("application/json", Text(record.Headers, "content-type"));
    }

    [Fact]
    public void Serialization_CustomSerializer_UsedWithItsContentType()
    {
        using var producer = new EventProducer(
            EventBusOptions.FromVariables(Variables.With(("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9"), ("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"), ("KAFKA_PRODUCER_CLOSE_TIMEOUT", "0"))),
            serializer: new UpperCaseSerializer());

        var record = producer.CreateRecord(new Invoice("inv-3", 2m), null, null, null, out _);
        var bytes = producer.CreateRecord(new byte[] { 7 }, null, null, null, out _);

        Assert.Equal("INVOICE { NUMBER = INV-3, AMOUNT = 2 }", Encoding.UTF8.GetString(record.Value!));
        Assert.Equal("text/x-upper", Text(record.Headers, "content-type"));
        Assert.Equal([7], bytes.Value!);
    }

    [Fact]
    public void UnknownTopicKey_MessageNamesTheVariable()
    {
        var ex = Assert.Throws<EventBusConfigurationException>(() => _producer.Publish("stage-complete", "x"));

        Assert.Equal("KAFKA_TOPIC_STAGE_COMPLETE", Assert.Single(ex.Problems).Variable);
        Assert.Contains("KAFKA_TOPIC_STAGE_COMPLETE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownTopicKey_AsyncAndBatch_ThrowBeforeAnythingIsQueued()
    {
        await Assert.ThrowsAsync<EventBusConfigurationException>(() => _producer.PublishAsync("MISSING", "x", cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<EventBusConfigurationException>(() => _producer.PublishBatchAsync("MISSING", [new EventMessage<string>("x")], TestContext.Current.CancellationToken));
        Assert.Equal(0, _producer.GetStatistics().InFlight);
    }

    [Theory]
    [InlineData(ErrorCode.Local_MsgTimedOut, true)]
    [InlineData(ErrorCode.NotEnoughReplicas, true)]
    [InlineData(ErrorCode.LeaderNotAvailable, true)]
    [InlineData(ErrorCode.Local_QueueFull, true)]
    [InlineData(ErrorCode.Local_UnknownPartition, true)]
    [InlineData(ErrorCode.Local_UnknownTopic, true)]
    [InlineData(ErrorCode.MsgSizeTooLarge, false)]
    [InlineData(ErrorCode.TopicAuthorizationFailed, false)]
    [InlineData(ErrorCode.InvalidMsg, false)]
    public void ErrorClassification_SaysWhetherRetryCanHelp(ErrorCode code, bool retriable)
    {
        Assert.Equal(retriable, EventProducer.IsRetriable(code));
    }

    private static string Text(Headers headers, string name) => Encoding.UTF8.GetString(headers.GetLastBytes(name));

    [GeneratedRegex("[^a-zA-Z0-9._-]")]
    private static partial Regex HostCharacters();

    internal sealed record Invoice(string Number, decimal Amount);

    private sealed class UpperCaseSerializer : IEventSerializer
    {
        public string ContentType => "text/x-upper";

        public byte[] Serialize<T>(T value) => Encoding.UTF8.GetBytes(value!.ToString()!.ToUpperInvariant());

        public T Deserialize<T>(ReadOnlySpan<byte> data) => throw new NotSupportedException();
    }
}

[JsonSerializable(typeof(EventProducerUnitTests.Invoice))]
internal sealed partial class InvoiceJsonContext : JsonSerializerContext;
