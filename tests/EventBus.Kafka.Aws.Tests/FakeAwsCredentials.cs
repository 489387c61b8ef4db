using Amazon.Runtime;

namespace EventBus.Kafka.Aws.Tests;

/// <summary>A credentials provider whose keys and expiry the test decides on each call (rotation, expiry, failures).</summary>
internal sealed class FakeAwsCredentials(Func<int, (ImmutableCredentials Keys, DateTime? Expiration)> next) : AWSCredentials
{
    private int _calls;

    /// <summary>Gets how many times credentials were asked for.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public override ImmutableCredentials GetCredentials()
    {
        var (keys, expiration) = next(Interlocked.Increment(ref _calls));
        Expiration = expiration;
        return keys;
    }

    public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult(GetCredentials());
}
