using Amazon.Runtime;

namespace EventBus.Kafka.Aws;

/// <summary>Names where AWS credentials come from, for logs and error messages: the source and the variables behind it, never a value.</summary>
internal static class AwsCredentialSources
{
    /// <summary>What the default chain tries, in order.</summary>
    internal const string DefaultChain =
        "the default AWS credential chain (environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN; " +
        "the AWS_PROFILE profile of ~/.aws/credentials and ~/.aws/config; web identity AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN; " +
        "ECS container credentials AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI; the EC2 instance role)";

    /// <summary>Describes the source of resolved credentials by their kind.</summary>
    /// <param name="credentials">The credentials.</param>
    /// <returns>A description without any value.</returns>
    internal static string Describe(AWSCredentials credentials) => credentials.GetType().Name switch
    {
        "EnvironmentVariablesAWSCredentials" => "environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)",
        "AssumeRoleWithWebIdentityCredentials" => "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN) through STS",
        "GenericContainerCredentials" or "ECSTaskCredentials" => "ECS container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI)",
        "DefaultInstanceProfileAWSCredentials" or "InstanceProfileAWSCredentials" => "the EC2 instance role (instance metadata service)",
        "AssumeRoleAWSCredentials" => "an assumed role (STS AssumeRole)",
        "SSOAWSCredentials" => "an IAM Identity Center (SSO) profile",
        "ProcessAWSCredentials" => "a credential_process profile",
        "BasicAWSCredentials" or "SessionAWSCredentials" => "a profile or credentials given in code",
        var name => name,
    };
}
