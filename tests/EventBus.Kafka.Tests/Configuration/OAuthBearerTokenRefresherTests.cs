using System.Collections.Concurrent;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Tests.Configuration;

/// <summary>The refresh handler's logic, with a fake target standing in for the Confluent client.</summary>
public sealed class OAuthBearerTokenRefresherTests
{
    [Fact]
    public async Task Refresh_HandsTheTokenWithItsExpiryInEpochMilliseconds()
    {
        var expires = DateTimeOffset.UtcNow.AddMinutes(10);
        var extensions = new Dictionary<string, string>(StringComparer.Ordinal) { ["logicalCluster"] = "lkc-1" };
        var provider = new FixedProvider(() => new OAuthBearerToken("VALUE-123", expires, "svc", extensions));
        var target = new FakeTarget();
        var log = new LogCapture();
        var refresher = new OAuthBearerTokenRefresher(provider, log.CreateLogger("t"));

        await refresher.RefreshAsync(target);

        var set = Assert.Single(target.Tokens);
        Assert.Equal("VALUE-123", set.Value);
        Assert.Equal(expires.ToUnixTimeMilliseconds(), set.LifetimeMs);
        Assert.Equal("svc", set.Principal);
        Assert.Equal("lkc-1", set.Extensions!["logicalCluster"]);
        Assert.Empty(target.Failures);
        Assert.Equal(1, refresher.TokensSet);
        var line = Assert.Single(log.Entries);
        Assert.Equal(5000, line.EventId.Id);
        Assert.Contains("FixedProvider", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("VALUE-123", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_Again_LogsAtDebugAndSetsTheNewToken()
    {
        var n = 0;
        var provider = new FixedProvider(() => new OAuthBearerToken("tok-" + Interlocked.Increment(ref n), DateTimeOffset.UtcNow.AddMinutes(5), "svc"));
        var target = new FakeTarget();
        var log = new LogCapture();
        var refresher = new OAuthBearerTokenRefresher(provider, log.CreateLogger("t"));

        await refresher.RefreshAsync(target);
        await refresher.RefreshAsync(target);

        Assert.Equal(["tok-1", "tok-2"], target.Tokens.Select(t => t.Value));
        Assert.Equal([5000, 5001], log.Entries.Select(e => e.EventId.Id));
        Assert.Equal(LogLevel.Debug, log.Entries[1].Level);
    }

    [Fact]
    public async Task Refresh_ProviderThrowsTokenException_HandsItsMessageAsTheFailure()
    {
        const string reason = "AWS_MSK_IAM could not get AWS credentials for AWS_REGION=eu-west-1 from web identity";
        var provider = new FixedProvider(() => throw new OAuthBearerTokenException(reason));
        var target = new FakeTarget();
        var log = new LogCapture();

        await new OAuthBearerTokenRefresher(provider, log.CreateLogger("t")).RefreshAsync(target);

        Assert.Empty(target.Tokens);
        Assert.Equal([reason], target.Failures);
        var line = Assert.Single(log.Entries);
        Assert.Equal(5002, line.EventId.Id);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains(reason, line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_ProviderThrowsAnythingElse_HandsTheProviderAndExceptionType()
    {
        var provider = new FixedProvider(() => throw new InvalidOperationException("no network"));
        var target = new FakeTarget();

        await new OAuthBearerTokenRefresher(provider, new LogCapture().CreateLogger("t")).RefreshAsync(target);

        var failure = Assert.Single(target.Failures);
        Assert.Equal("FixedProvider failed: InvalidOperationException: no network", failure);
    }

    [Fact]
    public async Task Refresh_ProviderNeverAnswers_FailsAfterTheTimeout()
    {
        var provider = new HangingProvider();
        var target = new FakeTarget();

        await new OAuthBearerTokenRefresher(provider, new LogCapture().CreateLogger("t"), timeout: TimeSpan.FromMilliseconds(50)).RefreshAsync(target);

        Assert.Equal(["HangingProvider gave no token within 0.05 s"], target.Failures);
        Assert.True(provider.Cancelled);
    }

    [Fact]
    public async Task Refresh_ExpiredToken_IsAFailureNotAToken()
    {
        var provider = new FixedProvider(() => new OAuthBearerToken("tok", DateTimeOffset.UtcNow.AddSeconds(-1), "svc"));
        var target = new FakeTarget();

        await new OAuthBearerTokenRefresher(provider, new LogCapture().CreateLogger("t")).RefreshAsync(target);

        Assert.Empty(target.Tokens);
        Assert.StartsWith("FixedProvider returned a token that expired at ", Assert.Single(target.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_WhileOneRuns_IsDroppedAndTheRunningOneAnswers()
    {
        var provider = new HangingProvider();
        var target = new FakeTarget();
        var refresher = new OAuthBearerTokenRefresher(provider, new LogCapture().CreateLogger("t"));

        var first = refresher.RefreshAsync(target);
        await provider.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = refresher.RefreshAsync(target);

        Assert.True(second.IsCompleted);
        provider.Answer(new OAuthBearerToken("tok", DateTimeOffset.UtcNow.AddMinutes(5), "svc"));
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, provider.Calls);
        Assert.Single(target.Tokens);

        provider.Reset();
        var third = refresher.RefreshAsync(target);
        await provider.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        provider.Answer(new OAuthBearerToken("tok2", DateTimeOffset.UtcNow.AddMinutes(5), "svc"));
        await third.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task Refresh_ClientClosedMeanwhile_IsIgnored()
    {
        var provider = new FixedProvider(() => new OAuthBearerToken("tok", DateTimeOffset.UtcNow.AddMinutes(5), "svc"));
        var target = new FakeTarget { OnSet = () => throw new ObjectDisposedException("producer") };
        var log = new LogCapture();

        await new OAuthBearerTokenRefresher(provider, log.CreateLogger("t")).RefreshAsync(target);

        Assert.Empty(target.Failures);
        Assert.Empty(log.Entries);
    }

    [Fact]
    public async Task Refresh_LibrdkafkaRefusesTheToken_HandsWhyAsTheFailure()
    {
        var provider = new FixedProvider(() => new OAuthBearerToken("tok", DateTimeOffset.UtcNow.AddMinutes(5), "svc"));
        var target = new FakeTarget { OnSet = () => throw new KafkaException(new Error(ErrorCode.Local_InvalidArg, "bad extension")) };

        await new OAuthBearerTokenRefresher(provider, new LogCapture().CreateLogger("t")).RefreshAsync(target);

        Assert.Equal(["librdkafka refused the token of FixedProvider: bad extension"], target.Failures);
    }

    [Fact]
    public void Token_ToString_LeavesTheValueOut()
    {
        var token = new OAuthBearerToken("secret-token-value", DateTimeOffset.UnixEpoch, "svc");

        Assert.DoesNotContain("secret-token-value", token.ToString(), StringComparison.Ordinal);
        Assert.Contains("svc", token.ToString(), StringComparison.Ordinal);
    }

    private sealed class FixedProvider(Func<OAuthBearerToken> make) : IOAuthBearerTokenProvider
    {
        public ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(make());
    }

    private sealed class HangingProvider : IOAuthBearerTokenProvider
    {
        private TaskCompletionSource<OAuthBearerToken> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public TaskCompletionSource Started { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Cancelled { get; private set; }

        public int Calls => Volatile.Read(ref _calls);

        public void Answer(OAuthBearerToken token) => _answer.TrySetResult(token);

        public void Reset()
        {
            _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public async ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            Started.TrySetResult();
            try
            {
                return await _answer.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled = true;
                throw;
            }
        }
    }

    private sealed class FakeTarget : OAuthBearerTokenRefresher.ITarget
    {
        public ConcurrentQueue<(string Value, long LifetimeMs, string Principal, IDictionary<string, string>? Extensions)> Tokens { get; } = new();

        public ConcurrentQueue<string> Failures { get; } = new();

        public Action? OnSet { get; init; }

        public string Name => "fake#producer-1";

        public void SetToken(string value, long lifetimeMs, string principalName, IDictionary<string, string>? extensions)
        {
            OnSet?.Invoke();
            Tokens.Enqueue((value, lifetimeMs, principalName, extensions));
        }

        public void SetFailure(string error) => Failures.Enqueue(error);
    }
}
