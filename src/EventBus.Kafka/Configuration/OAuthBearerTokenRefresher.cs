using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Configuration;

/// <summary>
/// The SASL/OAUTHBEARER token refresh handler of one Kafka client: asks the provider for a token off librdkafka's
/// thread and hands it to librdkafka with its expiry (librdkafka refreshes at about 80 % of the lifetime), or hands it
/// the reason there is none (librdkafka reports an authentication error and asks again in about 10 s).
/// </summary>
internal sealed class OAuthBearerTokenRefresher
{
    /// <summary>How long a provider may take before the refresh counts as failed.</summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly IOAuthBearerTokenProvider _provider;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly string _providerName;
    private int _inFlight;
    private int _tokensSet;

    /// <summary>Initializes a new instance of the <see cref="OAuthBearerTokenRefresher"/> class.</summary>
    /// <param name="provider">Where tokens come from.</param>
    /// <param name="logger">The client's logger.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    /// <param name="timeout">How long the provider may take; <see langword="null"/> for <see cref="DefaultTimeout"/>.</param>
    internal OAuthBearerTokenRefresher(IOAuthBearerTokenProvider provider, ILogger logger, TimeProvider? timeProvider = null, TimeSpan? timeout = null)
    {
        _provider = provider;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _timeout = timeout ?? DefaultTimeout;
        _providerName = provider.GetType().Name;
    }

    /// <summary>Where a token goes: the Confluent client, or a fake in tests.</summary>
    internal interface ITarget
    {
        /// <summary>Gets the client's name, for logs.</summary>
        string Name { get; }

        /// <summary>Hands librdkafka the token.</summary>
        /// <param name="value">The token.</param>
        /// <param name="lifetimeMs">Its expiry in milliseconds since the epoch.</param>
        /// <param name="principalName">Its principal.</param>
        /// <param name="extensions">SASL extensions, or <see langword="null"/>.</param>
        void SetToken(string value, long lifetimeMs, string principalName, IDictionary<string, string>? extensions);

        /// <summary>Tells librdkafka there is no token, and why.</summary>
        /// <param name="error">The reason; no secret.</param>
        void SetFailure(string error);
    }

    /// <summary>Gets the number of tokens handed to librdkafka so far.</summary>
    internal int TokensSet => Volatile.Read(ref _tokensSet);

    /// <summary>librdkafka's refresh callback: starts a refresh and returns at once, so its thread never waits for the provider.</summary>
    /// <param name="client">The client asking (for the admin client, its inner producer).</param>
    /// <param name="saslOAuthBearerConfig">The value of <c>sasl.oauthbearer.config</c> (unused).</param>
    internal void OnTokenRefresh(IClient client, string saslOAuthBearerConfig) => _ = RefreshAsync(new ClientTarget(client));

    /// <summary>Gets a token and hands it (or the failure) to the target. A refresh asked for while one runs is dropped: the running one answers.</summary>
    /// <param name="target">Where the token goes.</param>
    /// <returns>Completes when the token or the failure was handed over.</returns>
    internal Task RefreshAsync(ITarget target)
    {
        if (Interlocked.Exchange(ref _inFlight, 1) == 1)
        {
            return Task.CompletedTask;
        }

        return Task.Run(() => RunAsync(target));
    }

    private async Task RunAsync(ITarget target)
    {
        try
        {
            var token = await GetTokenAsync(target).ConfigureAwait(false);
            if (token is null)
            {
                return;
            }

            var now = _time.GetUtcNow();
            if (token.ExpiresAt <= now)
            {
                Fail(target, string.Create(CultureInfo.InvariantCulture, $"{_providerName} returned a token that expired at {token.ExpiresAt:O}"));
                return;
            }

            var extensions = token.Extensions.Count == 0 ? null : new Dictionary<string, string>(token.Extensions, StringComparer.Ordinal);
            try
            {
                target.SetToken(token.Value, token.ExpiresAt.ToUnixTimeMilliseconds(), token.PrincipalName, extensions);
            }
            catch (ObjectDisposedException)
            {
                return; // The client was closed while the token was being made.
            }
            catch (KafkaException ex)
            {
                Fail(target, $"librdkafka refused the token of {_providerName}: {ex.Error.Reason}");
                return;
            }

            var lifetime = (token.ExpiresAt - now).TotalSeconds;
            if (Interlocked.Increment(ref _tokensSet) == 1)
            {
                OAuthBearerLog.FirstTokenSet(_logger, target.Name, _providerName, token.PrincipalName, token.ExpiresAt, lifetime);
            }
            else
            {
                OAuthBearerLog.TokenRefreshed(_logger, target.Name, token.PrincipalName, token.ExpiresAt, lifetime);
            }
        }
        finally
        {
            Volatile.Write(ref _inFlight, 0);
        }
    }

    private async Task<OAuthBearerToken?> GetTokenAsync(ITarget target)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        try
        {
            return await _provider.GetTokenAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Fail(target, string.Create(CultureInfo.InvariantCulture, $"{_providerName} gave no token within {_timeout.TotalSeconds:0.###} s"));
        }
        catch (OAuthBearerTokenException ex)
        {
            Fail(target, ex.Message);
        }
#pragma warning disable CA1031 // Any failure of the provider must reach librdkafka, or the client waits for a token forever.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(target, $"{_providerName} failed: {ex.GetType().Name}: {ex.Message}");
        }

        return null;
    }

    private void Fail(ITarget target, string reason)
    {
        OAuthBearerLog.TokenFailed(_logger, target.Name, reason);
        try
        {
            target.SetFailure(reason);
        }
        catch (ObjectDisposedException)
        {
            // The client was closed meanwhile: nobody is waiting for the token.
        }
    }

    private sealed class ClientTarget(IClient client) : ITarget
    {
        public string Name
        {
            get
            {
                try
                {
                    return client.Name;
                }
                catch (ObjectDisposedException)
                {
                    return "(closed)";
                }
            }
        }

        public void SetToken(string value, long lifetimeMs, string principalName, IDictionary<string, string>? extensions) =>
            client.OAuthBearerSetToken(value, lifetimeMs, principalName, extensions);

        public void SetFailure(string error) => client.OAuthBearerSetTokenFailure(error);
    }
}
