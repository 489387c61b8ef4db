using System.Diagnostics.CodeAnalysis;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventBus.Kafka.Configuration;

/// <summary>
/// The one registration point of SASL/OAUTHBEARER tokens: every producer, consumer and admin client EventBus builds
/// calls <c>UseOAuthBearerTokenProvider</c> on its builder, which installs a token refresh handler when the mechanism
/// is OAUTHBEARER or AWS_MSK_IAM.
/// </summary>
/// <remarks>
/// The provider is <see cref="KafkaConnectionOptions.OAuthBearerTokenProvider"/> when set in code. Otherwise, for
/// AWS_MSK_IAM, the factory of the EventBus.Kafka.Aws package is found by its type name (<see cref="AwsMskIamFactoryTypeName"/>):
/// referencing the package is all it takes, and the core package keeps no AWS dependency and no registry.
/// </remarks>
internal static class OAuthBearerAuthentication
{
    /// <summary>The NuGet package that makes AWS_MSK_IAM tokens.</summary>
    internal const string AwsMskIamPackage = "EventBus.Kafka.Aws";

    /// <summary>The factory the package provides: a frozen contract between the two packages.</summary>
    internal const string AwsMskIamFactoryTypeName = "EventBus.Kafka.Aws.MskIamTokenProviderFactory, EventBus.Kafka.Aws";

    /// <summary>The validation problem when AWS_MSK_IAM is asked for and the package is not referenced.</summary>
    internal const string MissingAwsMskIamPackageMessage =
        "is AWS_MSK_IAM, but the " + AwsMskIamPackage + " package that makes the IAM tokens is not referenced; add it to the service " +
        "(dotnet add package " + AwsMskIamPackage + "), or set KafkaConnectionOptions.OAuthBearerTokenProvider in code.";

    /// <summary>The validation problem when OAUTHBEARER is asked for without a provider.</summary>
    internal const string MissingProviderMessage =
        "is OAUTHBEARER, which takes its tokens from a provider set in code: set KafkaConnectionOptions.OAuthBearerTokenProvider.";

    /// <summary>Installs the token refresh handler on a producer builder when the connection uses OAUTHBEARER tokens.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The validated options.</param>
    /// <param name="logger">The client's logger.</param>
    /// <returns>The builder.</returns>
    internal static ProducerBuilder<TKey, TValue> UseOAuthBearerTokenProvider<TKey, TValue>(this ProducerBuilder<TKey, TValue> builder, EventBusOptions options, ILogger? logger)
    {
        var refresher = CreateRefresher(options, logger);
        return refresher is null ? builder : builder.SetOAuthBearerTokenRefreshHandler(refresher.OnTokenRefresh);
    }

    /// <summary>Installs the token refresh handler on a consumer builder when the connection uses OAUTHBEARER tokens.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The validated options.</param>
    /// <param name="logger">The client's logger.</param>
    /// <returns>The builder.</returns>
    internal static ConsumerBuilder<TKey, TValue> UseOAuthBearerTokenProvider<TKey, TValue>(this ConsumerBuilder<TKey, TValue> builder, EventBusOptions options, ILogger? logger)
    {
        var refresher = CreateRefresher(options, logger);
        return refresher is null ? builder : builder.SetOAuthBearerTokenRefreshHandler(refresher.OnTokenRefresh);
    }

    /// <summary>Installs the token refresh handler on an admin client builder when the connection uses OAUTHBEARER tokens.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The validated options.</param>
    /// <param name="logger">The client's logger.</param>
    /// <returns>The builder.</returns>
    internal static AdminClientBuilder UseOAuthBearerTokenProvider(this AdminClientBuilder builder, EventBusOptions options, ILogger? logger)
    {
        var refresher = CreateRefresher(options, logger);
        return refresher is null ? builder : builder.SetOAuthBearerTokenRefreshHandler(refresher.OnTokenRefresh);
    }

    /// <summary>Whether the connection's mechanism takes its tokens from a provider (OAUTHBEARER, AWS_MSK_IAM).</summary>
    /// <param name="connection">The connection settings.</param>
    /// <returns><see langword="true"/> when a refresh handler is needed.</returns>
    internal static bool UsesTokens(KafkaConnectionOptions connection) =>
        connection.SaslMechanism is KafkaSaslMechanism.OAuthBearer or KafkaSaslMechanism.AwsMskIam;

    /// <summary>Whether the EventBus.Kafka.Aws package is part of the application.</summary>
    /// <returns><see langword="true"/> when its factory type can be loaded.</returns>
    internal static bool IsAwsMskIamPackageAvailable() => FindAwsMskIamFactory() is not null;

    /// <summary>The provider for a client: the one set in code, or the AWS_MSK_IAM one of the package.</summary>
    /// <param name="connection">The validated connection settings.</param>
    /// <param name="logger">The client's logger.</param>
    /// <returns>The provider; <see langword="null"/> when the mechanism takes no tokens.</returns>
    /// <exception cref="EventBusConfigurationException">No provider can be had (OAUTHBEARER without one, or AWS_MSK_IAM without the package).</exception>
    internal static IOAuthBearerTokenProvider? ResolveProvider(KafkaConnectionOptions connection, ILogger logger)
    {
        if (!UsesTokens(connection))
        {
            return null;
        }

        if (connection.OAuthBearerTokenProvider is { } provider)
        {
            return provider;
        }

        if (connection.SaslMechanism != KafkaSaslMechanism.AwsMskIam)
        {
            throw new EventBusConfigurationException([new ConfigurationProblem(EventBusEnvironmentVariables.SaslMechanism, MissingProviderMessage)]);
        }

        var factoryType = FindAwsMskIamFactory()
            ?? throw new EventBusConfigurationException([new ConfigurationProblem(EventBusEnvironmentVariables.SaslMechanism, MissingAwsMskIamPackageMessage)]);
        var factory = (IOAuthBearerTokenProviderFactory)Activator.CreateInstance(factoryType)!;
        return factory.Create(connection, logger);
    }

    private static OAuthBearerTokenRefresher? CreateRefresher(EventBusOptions options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        var provider = ResolveProvider(options.Connection, logger);
        return provider is null ? null : new OAuthBearerTokenRefresher(provider, logger);
    }

    // A literal type name: the trimmer keeps the factory's constructor when the package is part of the application,
    // and DynamicDependency says so to the analyzers too.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, "EventBus.Kafka.Aws.MskIamTokenProviderFactory", "EventBus.Kafka.Aws")]
    [return: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    private static Type? FindAwsMskIamFactory()
    {
        try
        {
            return Type.GetType(AwsMskIamFactoryTypeName, throwOnError: false);
        }
        catch (Exception ex) when (ex is FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }
}
