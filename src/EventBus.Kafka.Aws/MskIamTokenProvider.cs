using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using EventBus.Kafka.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Aws;

/// <summary>
/// Makes AWS MSK IAM tokens: a SigV4 presigned <c>GET https://kafka.{region}.amazonaws.com/?Action=kafka-cluster%3AConnect</c>
/// (X-Amz-Expires 900, signed header <c>host</c>, the session token when the credentials have one, then a
/// <c>User-Agent</c> parameter), base64url-encoded without padding, as the aws-msk-iam-sasl-signer libraries make it.
/// </summary>
/// <remarks>
/// <para>
/// Credentials come from the credentials given, or from the default AWS credential chain: environment variables, the
/// <c>AWS_PROFILE</c> profile (assume-role profiles included), web identity (EKS IRSA), ECS container credentials, the
/// EC2 instance role. The SDK caches and renews them; credentials that expire within a minute are asked for again.
/// </para>
/// <para>
/// A token lives 900 s, or less when the credentials expire sooner: <see cref="OAuthBearerToken.ExpiresAt"/> is capped
/// by the credentials' expiry, so librdkafka refreshes (at about 80 % of the lifetime) while they are still valid and
/// the next token is signed with the renewed ones. Failures throw <see cref="OAuthBearerTokenException"/> naming
/// <c>AWS_REGION</c> and the credential source tried; no message holds a credential value. Thread-safe.
/// </para>
/// </remarks>
public sealed class MskIamTokenProvider : IOAuthBearerTokenProvider
{
    /// <summary>How long a token is valid at most (X-Amz-Expires).</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(TokenLifetimeSeconds);

    /// <summary>The signing name of MSK's IAM authentication.</summary>
    internal const string SigningService = "kafka-cluster";

    /// <summary>The action every MSK IAM token asks for.</summary>
    internal const string ConnectAction = "kafka-cluster:Connect";

    /// <summary>The principal librdkafka reports for the token (the broker reads the identity from the token).</summary>
    internal const string PrincipalName = "aws-msk-iam";

    /// <summary>Credentials closer to their expiry than this are asked for again before signing.</summary>
    internal static readonly TimeSpan MinimumCredentialLifetime = TimeSpan.FromMinutes(1);

    /// <summary>The <c>User-Agent</c> parameter of every token: this library and its version.</summary>
    internal static readonly string UserAgent = "eventbus-kafka-aws/" + LibraryVersion();

    private const int TokenLifetimeSeconds = 900;

    private readonly AWSCredentials? _credentials;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private AWSCredentials? _resolved;
    private string? _loggedSource;

    /// <summary>Initializes a new instance of the <see cref="MskIamTokenProvider"/> class.</summary>
    /// <param name="region">The region of the MSK cluster (<c>AWS_REGION</c>), e.g. <c>eu-west-1</c>.</param>
    /// <param name="credentials">The credentials to sign with (e.g. <c>AssumeRoleAWSCredentials</c> for another role);
    /// <see langword="null"/> for the default AWS credential chain.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="region"/> is not a region name.</exception>
    // Web identity and assume-role credentials create the STS client by reflection: keep it when trimming.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(AmazonSecurityTokenServiceClient))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(AmazonSecurityTokenServiceConfig))]
    public MskIamTokenProvider(string region, AWSCredentials? credentials = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        if (!IsRegionName(region))
        {
            throw new ArgumentException($"'{region}' is not an AWS region name (AWS_REGION); use the MSK cluster's region, e.g. eu-west-1.", nameof(region));
        }

        Region = region;
        Host = $"kafka.{region}.amazonaws.com";
        _credentials = credentials;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the region the tokens are signed for.</summary>
    public string Region { get; }

    /// <summary>Gets the host the tokens are signed for: <c>kafka.{region}.amazonaws.com</c>.</summary>
    public string Host { get; }

    /// <summary>Gets a token signed with the current credentials.</summary>
    /// <param name="cancellationToken">Stops waiting for the credentials.</param>
    /// <returns>The token; it expires 900 s after signing, or when the credentials do if that is sooner.</returns>
    /// <exception cref="OAuthBearerTokenException">No credentials could be had, they are expired or empty, or signing
    /// failed; the message names <c>AWS_REGION</c> and the credential source tried.</exception>
    public async ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        var credentials = await ResolveAsync(cancellationToken).ConfigureAwait(false);
        var source = _credentials is null ? AwsCredentialSources.Describe(credentials) : $"the credentials given in code ({credentials.GetType().Name})";
        if (!string.Equals(Interlocked.Exchange(ref _loggedSource, source), source, StringComparison.Ordinal))
        {
            Log.CredentialSource(_logger, Host, source);
        }

        var (keys, expiration) = await GetKeysAsync(credentials, source, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (expiration is { } soon && soon - now < MinimumCredentialLifetime && credentials is RefreshingAWSCredentials refreshing)
        {
            Log.CredentialsNearExpiry(_logger, source, soon, MinimumCredentialLifetime.TotalSeconds);
            refreshing.ClearCredentials();
            (keys, expiration) = await GetKeysAsync(credentials, source, cancellationToken).ConfigureAwait(false);
            now = _time.GetUtcNow();
        }

        if (string.IsNullOrEmpty(keys.AccessKeyId) || string.IsNullOrEmpty(keys.SecretAccessKey))
        {
            throw Failure("got empty AWS credentials", source, null);
        }

        if (expiration is { } expired && expired <= now)
        {
            throw Failure(string.Create(CultureInfo.InvariantCulture, $"got AWS credentials that expired at {expired:O}"), source, null);
        }

        var signedAt = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var url = Sign(keys, signedAt);
        var expiresAt = signedAt + TokenLifetime;
        var limit = "token lifetime of 900 s";
        if (expiration < expiresAt)
        {
            expiresAt = expiration.Value;
            limit = "expiry of the AWS credentials";
        }

        Log.TokenSigned(_logger, Host, signedAt, expiresAt, limit);
        return new OAuthBearerToken(Base64UrlWithoutPadding(url), expiresAt, PrincipalName);
    }

    /// <summary>Whether a value can be a region name: lower-case letters, digits and '-' (it becomes part of a host name).</summary>
    /// <param name="region">The value.</param>
    /// <returns><see langword="true"/> when it can.</returns>
    internal static bool IsRegionName(string region)
    {
        if (region.Length is 0 or > 32 || region[0] == '-' || region[^1] == '-')
        {
            return false;
        }

        foreach (var ch in region)
        {
            if (!(char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Signs the token's URL (before base64url encoding).</summary>
    /// <param name="keys">The credentials.</param>
    /// <param name="signedAt">The signing time, whole seconds.</param>
    /// <returns>The presigned URL with the <c>User-Agent</c> parameter.</returns>
    internal string Sign(SigV4Credentials keys, DateTimeOffset signedAt)
    {
        var presigned = SigV4QuerySigner.Presign(
            Host, "/", [new("Action", ConnectAction)], keys, Region, SigningService, signedAt, TokenLifetimeSeconds, SigV4QuerySigner.EmptyPayloadHash);
        return presigned.Url + "&User-Agent=" + SigV4QuerySigner.UriEncode(UserAgent);
    }

    private async ValueTask<AWSCredentials> ResolveAsync(CancellationToken cancellationToken)
    {
        if (_credentials is not null)
        {
            return _credentials;
        }

        var resolved = Volatile.Read(ref _resolved);
        if (resolved is not null)
        {
            return resolved;
        }

        try
        {
            resolved = await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(null).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Whatever the chain throws becomes the authentication error librdkafka reports.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            throw Failure("found no AWS credentials", AwsCredentialSources.DefaultChain, ex);
        }

        Volatile.Write(ref _resolved, resolved);
        return resolved;
    }

    private async ValueTask<(SigV4Credentials Keys, DateTimeOffset? Expiration)> GetKeysAsync(AWSCredentials credentials, string source, CancellationToken cancellationToken)
    {
        ImmutableCredentials keys;
        try
        {
            keys = await credentials.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Whatever the source throws becomes the authentication error librdkafka reports.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Volatile.Write(ref _resolved, null); // look along the chain again next time
            throw Failure("could not get AWS credentials", source, ex);
        }

        if (keys is null)
        {
            throw Failure("got no AWS credentials", source, null);
        }

        var expiration = credentials.Expiration is { } e
            ? new DateTimeOffset(e.Kind == DateTimeKind.Local ? e.ToUniversalTime() : DateTime.SpecifyKind(e, DateTimeKind.Utc))
            : (DateTimeOffset?)null;
        return (new SigV4Credentials(keys.AccessKey, keys.SecretKey, keys.UseToken ? keys.Token : null), expiration);
    }

    private OAuthBearerTokenException Failure(string what, string source, Exception? cause)
    {
        var message = $"AWS_MSK_IAM {what} for AWS_REGION={Region} ({Host}) from {source}. " +
            "Give the service an IAM role allowed kafka-cluster:Connect on the cluster (EKS: IRSA or Pod Identity; ECS: task role; EC2: instance profile), or set AWS_PROFILE." +
            (cause is null ? string.Empty : $" Cause: {cause.GetType().Name}: {cause.Message}");
        return cause is null ? new OAuthBearerTokenException(message) : new OAuthBearerTokenException(message, cause);
    }

    private static string Base64UrlWithoutPadding(string url) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(url)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string LibraryVersion()
    {
        var version = typeof(MskIamTokenProvider).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
