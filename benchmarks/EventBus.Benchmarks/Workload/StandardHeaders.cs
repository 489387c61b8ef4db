using System.Globalization;
using System.Text;
using Confluent.Kafka;
using EventBus.Kafka.Producing;

namespace EventBus.Benchmarks.Workload;

/// <summary>
/// The raw baselines' version of the four headers EventProducer writes (timestamp, source, message-id,
/// content-type), built as well as Confluent's public API allows: the constant ones shared, the timestamp
/// encoded once per second, the message id formatted straight into its bytes. This is the limit the wrapper is
/// held to, so it must not be a straw man.
/// </summary>
internal sealed class StandardHeaders
{
    private readonly Header _source;
    private readonly Header _contentType = new(EventHeaderNames.ContentType, Encoding.ASCII.GetBytes("application/json"));
    private long _second = -1;
    private Header _timestamp = new(EventHeaderNames.Timestamp, []);

    /// <summary>Where <see cref="Create"/> puts the message id in the list.</summary>
    public const int MessageIdIndex = 2;

    public StandardHeaders(string serviceName) => _source = new Header(EventHeaderNames.Source, Encoding.UTF8.GetBytes(serviceName));

    /// <summary>A new header list for one record (librdkafka copies the values when producing).</summary>
    public Headers Create()
    {
        var messageId = new byte[32];
        Guid.NewGuid().TryFormat(messageId, out _, "N");
        return new Headers { Timestamp(), _source, new Header(EventHeaderNames.MessageId, messageId), _contentType };
    }

    private Header Timestamp()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (now != Volatile.Read(ref _second))
        {
            Volatile.Write(ref _timestamp, new Header(EventHeaderNames.Timestamp, Encoding.ASCII.GetBytes(now.ToString(CultureInfo.InvariantCulture))));
            Volatile.Write(ref _second, now);
        }

        return Volatile.Read(ref _timestamp);
    }
}
