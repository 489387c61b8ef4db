using System.Globalization;
using System.Text;
using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.Tests.Configuration;

/// <summary>
/// Issues unsigned JWTs (<c>{"alg":"none"}</c> with <c>sub</c>, <c>iat</c>, <c>exp</c>), which Kafka's unsecured
/// OAUTHBEARER validator (the test kit's SASL listeners) accepts as <c>User:{sub}</c>.
/// </summary>
internal sealed class UnsignedJwtTokenProvider(string subject = "test-user", TimeSpan? lifetime = null, TimeProvider? timeProvider = null)
    : IOAuthBearerTokenProvider
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly TimeSpan _lifetime = lifetime ?? TimeSpan.FromMinutes(15);
    private int _calls;

    /// <summary>Gets how many tokens were asked for.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets the last token issued, or <see langword="null"/>.</summary>
    public OAuthBearerToken? Last { get; private set; }

    public ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        var now = _time.GetUtcNow();
        var expires = now + _lifetime;
        var header = Base64Url("""{"alg":"none"}""");
        var payload = Base64Url(string.Create(CultureInfo.InvariantCulture,
            $$"""{"sub":"{{subject}}","iat":{{now.ToUnixTimeSeconds()}},"exp":{{expires.ToUnixTimeSeconds()}}}"""));
        var token = new OAuthBearerToken(header + "." + payload + ".", expires, subject);
        Last = token;
        return ValueTask.FromResult(token);
    }

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
