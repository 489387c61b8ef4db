namespace EventBus.Kafka.Configuration;

/// <summary>Keeps secrets out of logs, exceptions, health output and ToString.</summary>
internal static class Redaction
{
    internal const string MaskText = "***";

    private static readonly string[] SecretWords = ["password", "secret", "credential", "token", "sasl.jaas", "key.pem"];

    internal static string? Mask(string? secret) => string.IsNullOrEmpty(secret) ? null : MaskText;

    internal static bool IsSecretKey(string key)
    {
        foreach (var word in SecretWords)
        {
            if (key.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    internal static string Describe(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var parts = properties
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + (IsSecretKey(p.Key) ? MaskText : p.Value));
        return "{" + string.Join(", ", parts) + "}";
    }
}
