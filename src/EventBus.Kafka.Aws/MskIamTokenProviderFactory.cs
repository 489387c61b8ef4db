using EventBus.Kafka.Configuration;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Aws;

/// <summary>
/// Creates the <see cref="MskIamTokenProvider"/> of <c>KAFKA_SASL_MECHANISM=AWS_MSK_IAM</c>. EventBus.Kafka finds this
/// type by name when the package is referenced; applications do not call it.
/// </summary>
public sealed class MskIamTokenProviderFactory : IOAuthBearerTokenProviderFactory
{
    /// <summary>Creates a provider signing for <see cref="KafkaConnectionOptions.AwsRegion"/> with the default AWS credential chain.</summary>
    /// <param name="connection">The connection settings.</param>
    /// <param name="logger">The logger of the client the tokens are for.</param>
    /// <returns>The provider.</returns>
    /// <exception cref="EventBusConfigurationException"><c>AWS_REGION</c> is missing or not a region name.</exception>
    public IOAuthBearerTokenProvider Create(KafkaConnectionOptions connection, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var region = connection.AwsRegion?.Trim();
        if (string.IsNullOrEmpty(region))
        {
            throw new EventBusConfigurationException([new ConfigurationProblem(EventBusEnvironmentVariables.AwsRegion,
                "is required with KAFKA_SASL_MECHANISM=AWS_MSK_IAM (the region of the MSK cluster, e.g. eu-west-1).")]);
        }

        if (!MskIamTokenProvider.IsRegionName(region))
        {
            throw new EventBusConfigurationException([new ConfigurationProblem(EventBusEnvironmentVariables.AwsRegion,
                $"'{region}' is not an AWS region name; use the MSK cluster's region, e.g. eu-west-1.")]);
        }

        return new MskIamTokenProvider(region, logger: logger);
    }
}
