using System.Text;

namespace EventBus.Kafka.Aws.Tests;

/// <summary>Decodes an MSK IAM token the way the public signers' tests do: base64url (no padding) → URL → query parameters.</summary>
internal static class TokenDecoding
{
    public static (Uri Url, Dictionary<string, string> Query, string Text) Decode(string token)
    {
        Assert.DoesNotContain('=', token);
        Assert.DoesNotContain('+', token);
        Assert.DoesNotContain('/', token);
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        var url = new Uri(text);
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in url.Query.TrimStart('?').Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            Assert.True(eq > 0, $"'{pair}' is not name=value");
            Assert.True(query.TryAdd(Uri.UnescapeDataString(pair[..eq]), Uri.UnescapeDataString(pair[(eq + 1)..])), $"'{pair}' repeated");
        }

        return (url, query, text);
    }
}
