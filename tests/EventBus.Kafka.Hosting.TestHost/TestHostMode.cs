namespace EventBus.Kafka.Hosting.TestHost;

/// <summary>What the handler does (TESTHOST_MODE).</summary>
/// <param name="Name">handle, or dead-letter-disposed.</param>
public sealed record TestHostMode(string Name);
