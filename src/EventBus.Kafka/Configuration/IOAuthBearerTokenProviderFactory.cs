using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Configuration;

/// <summary>
/// Creates the token provider of a SASL mechanism whose tokens come from another package: EventBus finds the factory of
/// <c>AWS_MSK_IAM</c> (in EventBus.Kafka.Aws) by its type name, so the core package has no AWS dependency.
/// </summary>
/// <remarks>Implementations need a public parameterless constructor.</remarks>
public interface IOAuthBearerTokenProviderFactory
{
    /// <summary>Creates a provider for one Kafka client.</summary>
    /// <param name="connection">The validated connection settings (the region of AWS_MSK_IAM, for example).</param>
    /// <param name="logger">The logger of the client the tokens are for.</param>
    /// <returns>The provider.</returns>
    /// <exception cref="EventBusConfigurationException">The settings the provider needs are missing or invalid.</exception>
    IOAuthBearerTokenProvider Create(KafkaConnectionOptions connection, ILogger logger);
}
