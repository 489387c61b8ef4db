using System.Runtime.CompilerServices;

namespace EventBus.Kafka.Aws.Tests;

internal static class AssemblySetup
{
    /// <summary>
    /// Before any AWS SDK type loads: the default credential chain must never reach for the EC2 instance metadata
    /// service from a test (only loopback traffic is allowed here), so it is disabled and pointed at a closed port.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9");
    }
}
