namespace EventBus.Kafka.Tests.Configuration;

/// <summary>An existing file for path-checking tests, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile() => File.WriteAllText(Path, "test");

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "eventbus-" + Guid.NewGuid().ToString("N") + ".pem");

    public void Dispose() => File.Delete(Path);
}
