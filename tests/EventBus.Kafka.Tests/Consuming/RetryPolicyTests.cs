using System.Text.Json;
using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Tests.Consuming;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Backoff_DoublesFromTheBaseDelay_WithinTwentyPercentJitter_CappedAtTheMaxDelay()
    {
        var options = new EventConsumerOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(100), RetryMaxDelay = TimeSpan.FromSeconds(1) };
        var low = new RetryPolicy(options, () => 0.0);
        var high = new RetryPolicy(options, () => 1.0);

        Assert.Equal([80, 160, 320, 640, 800, 800], Enumerable.Range(1, 6).Select(a => low.Backoff(a).TotalMilliseconds));
        Assert.Equal([120, 240, 480, 960, 1200], Enumerable.Range(1, 5).Select(a => high.Backoff(a).TotalMilliseconds));
    }

    [Fact]
    public void ShouldRetry_UpToMaxRetries_NeverForNonRetriableTypesOrTheirSubtypes()
    {
        var policy = new RetryPolicy(new EventConsumerOptions { MaxRetries = 2 });

        Assert.True(policy.ShouldRetry(new InvalidOperationException(), attempt: 2));
        Assert.False(policy.ShouldRetry(new InvalidOperationException(), attempt: 3));
        Assert.False(policy.ShouldRetry(new JsonException(), attempt: 1));
        Assert.False(policy.ShouldRetry(new ArgumentNullException("x"), attempt: 1)); // derives from ArgumentException
    }
}
