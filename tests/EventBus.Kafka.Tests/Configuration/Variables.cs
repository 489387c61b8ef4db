namespace EventBus.Kafka.Tests.Configuration;

/// <summary>Builds variable sets for binding tests without touching the process environment.</summary>
internal static class Variables
{
    public static Dictionary<string, string?> Required() => new(StringComparer.Ordinal)
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = "broker-1:9092,broker-2:9092",
        ["SERVICE_NAME"] = "orders",
    };

    public static Dictionary<string, string?> With(params (string Name, string? Value)[] extra)
    {
        var variables = Required();
        foreach (var (name, value) in extra)
        {
            variables[name] = value;
        }

        return variables;
    }
}
