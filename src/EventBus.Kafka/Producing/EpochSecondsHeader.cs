using System.Text;
using Confluent.Kafka;

namespace EventBus.Kafka.Producing;

/// <summary>The <c>timestamp</c> header, encoded once per second.</summary>
internal sealed class EpochSecondsHeader
{
    private Entry _entry = new(-1, new Header(EventHeaderNames.Timestamp, []));

    public Header Current()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var entry = Volatile.Read(ref _entry);
        if (entry.Second != now)
        {
            entry = new Entry(now, new Header(EventHeaderNames.Timestamp, Encoding.ASCII.GetBytes(now.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            Volatile.Write(ref _entry, entry);
        }

        return entry.Header;
    }

    private sealed record Entry(long Second, Header Header);
}
