namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>Counts librdkafka's native threads, which it names "rdk:...".</summary>
internal static class NativeThreads
{
    public static bool CanCount => Directory.Exists("/proc/self/task");

    public static IReadOnlyList<string> Librdkafka()
    {
        var names = new List<string>();
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                if (name.StartsWith("rdk:", StringComparison.Ordinal))
                {
                    names.Add(name);
                }
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }

        return names;
    }
}
