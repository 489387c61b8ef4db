using Amazon.Runtime;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Tests.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace EventBus.Kafka.Aws.Tests;

/// <summary>Token lifetime against the credentials' expiry, refresh before it, and rotation (fake clock, fake credentials provider).</summary>
public sealed class MskIamTokenLifetimeTests
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Token_CredentialsExpireInFiveMinutes_LifetimeCappedAtTheirExpiry()
    {
        var clock = new FakeTimeProvider(Start);
        var credentials = new FakeAwsCredentials(_ => (new ImmutableCredentials("ASIAFIRST", "secret-1", "session-1"), Start.AddMinutes(5).UtcDateTime));
        var provider = new MskIamTokenProvider("eu-west-1", credentials, clock);

        var token = await provider.GetTokenAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Start.AddMinutes(5), token.ExpiresAt);
        var (_, query, _) = TokenDecoding.Decode(token.Value);
        Assert.Equal("900", query["X-Amz-Expires"]);
        Assert.Equal("session-1", query["X-Amz-Security-Token"]);
    }

    [Fact]
    public async Task Token_CredentialsOutliveTheToken_LifetimeIs900Seconds()
    {
        var clock = new FakeTimeProvider(Start.AddMilliseconds(400));
        var credentials = new FakeAwsCredentials(_ => (new ImmutableCredentials("ASIAFIRST", "secret-1", "session-1"), Start.AddHours(1).UtcDateTime));

        var token = await new MskIamTokenProvider("eu-west-1", credentials, clock).GetTokenAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Start.AddSeconds(900), token.ExpiresAt);
    }

    /// <summary>
    /// librdkafka asks again at about 80 % of the lifetime it was given: with a lifetime capped at the credentials'
    /// expiry that is before they expire, and the next token is signed with the rotated credentials.
    /// </summary>
    [Fact]
    public async Task Refresh_BeforeCredentialsExpire_NextTokenUsesTheRotatedCredentials()
    {
        var clock = new FakeTimeProvider(Start);
        var rotatedAt = Start.AddMinutes(4);
        var credentials = new FakeAwsCredentials(_ => clock.GetUtcNow() < rotatedAt
            ? (new ImmutableCredentials("ASIAFIRST", "secret-1", "session-1"), Start.AddMinutes(5).UtcDateTime)
            : (new ImmutableCredentials("ASIASECOND", "secret-2", "session-2"), rotatedAt.AddHours(1).UtcDateTime));
        var provider = new MskIamTokenProvider("eu-west-1", credentials, clock);

        var first = await provider.GetTokenAsync(TestContext.Current.CancellationToken);
        var refreshAt = Start + ((first.ExpiresAt - Start) * 0.8);
        Assert.True(refreshAt < Start.AddMinutes(5), "librdkafka's refresh falls before the credentials expire");
        clock.SetUtcNow(refreshAt);
        var second = await provider.GetTokenAsync(TestContext.Current.CancellationToken);

        var (_, q1, _) = TokenDecoding.Decode(first.Value);
        var (_, q2, _) = TokenDecoding.Decode(second.Value);
        Assert.StartsWith("ASIAFIRST/", q1["X-Amz-Credential"], StringComparison.Ordinal);
        Assert.StartsWith("ASIASECOND/", q2["X-Amz-Credential"], StringComparison.Ordinal);
        Assert.Equal("session-2", q2["X-Amz-Security-Token"]);
        Assert.Equal("20240301T120400Z", q2["X-Amz-Date"]);
        Assert.Equal(rotatedAt.AddSeconds(900), second.ExpiresAt);
        Assert.Equal(2, credentials.Calls);
    }

    /// <summary>The same, through the core's refresh handler: each token reaches librdkafka with its capped lifetime.</summary>
    [Fact]
    public async Task RefreshHandler_HandsEachTokenWithItsCappedLifetime()
    {
        var clock = new FakeTimeProvider(Start);
        var credentials = new FakeAwsCredentials(n => n == 1
            ? (new ImmutableCredentials("ASIAFIRST", "secret-1", "session-1"), Start.AddMinutes(5).UtcDateTime)
            : (new ImmutableCredentials("ASIASECOND", "secret-2", "session-2"), Start.AddHours(2).UtcDateTime));
        var provider = new MskIamTokenProvider("eu-west-1", credentials, clock);
        var tokens = new List<OAuthBearerToken>();

        tokens.Add(await provider.GetTokenAsync(TestContext.Current.CancellationToken));
        clock.Advance(TimeSpan.FromMinutes(4));
        tokens.Add(await provider.GetTokenAsync(TestContext.Current.CancellationToken));

        Assert.Equal([Start.AddMinutes(5), Start.AddMinutes(4).AddSeconds(900)], tokens.Select(t => t.ExpiresAt));
    }

    [Fact]
    public async Task Token_CredentialsAlreadyExpired_FailsNamingRegionAndSource()
    {
        var clock = new FakeTimeProvider(Start);
        var credentials = new FakeAwsCredentials(_ => (new ImmutableCredentials("ASIAOLD", "secret-old", "session-old"), Start.AddSeconds(-1).UtcDateTime));

        var ex = await Assert.ThrowsAsync<OAuthBearerTokenException>(() => new MskIamTokenProvider("eu-west-1", credentials, clock).GetTokenAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Contains("AWS_REGION=eu-west-1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("expired at 2024-03-01T11:59:59", ex.Message, StringComparison.Ordinal);
        Assert.Contains("FakeAwsCredentials", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Credentials the SDK hands out within a minute of their expiry are asked for again before signing.</summary>
    [Fact]
    public async Task Token_RefreshingCredentialsAboutToExpire_AreRenewedBeforeSigning()
    {
        using var credentials = new ShortLivedThenLongLived();
        var log = new LogCapture();
        var provider = new MskIamTokenProvider("eu-west-1", credentials, logger: log.CreateLogger("msk"));

        var token = await provider.GetTokenAsync(TestContext.Current.CancellationToken);

        var (_, query, _) = TokenDecoding.Decode(token.Value);
        Assert.StartsWith("ASIALONG/", query["X-Amz-Credential"], StringComparison.Ordinal);
        Assert.Contains(log.Entries, e => e.EventId.Id == 5052);
        Assert.Equal(2, credentials.Generated);
    }

    private sealed class ShortLivedThenLongLived : RefreshingAWSCredentials
    {
        public ShortLivedThenLongLived()
        {
            PreemptExpiryTime = TimeSpan.Zero;
            ExpirationBuffer = TimeSpan.Zero;
        }

        public int Generated { get; private set; }

        protected override CredentialsRefreshState GenerateNewCredentials() => ++Generated == 1
            ? new CredentialsRefreshState(new ImmutableCredentials("ASIASHORT", "secret-short", "session-short"), DateTime.UtcNow.AddSeconds(30))
            : new CredentialsRefreshState(new ImmutableCredentials("ASIALONG", "secret-long", "session-long"), DateTime.UtcNow.AddHours(1));
    }
}
