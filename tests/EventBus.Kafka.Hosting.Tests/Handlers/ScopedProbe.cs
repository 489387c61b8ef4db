namespace EventBus.Kafka.Hosting.Tests.Handlers;

/// <summary>A scoped service (as a DbContext would be): one per DI scope, disposed with it.</summary>
public sealed class ScopedProbe : IDisposable
{
    public Guid Id { get; } = Guid.NewGuid();

    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;
}
