namespace EventBus.Kafka.Aws;

/// <summary>The values that sign a request. <see cref="ToString"/> shows none of them.</summary>
/// <param name="AccessKeyId">The access key id.</param>
/// <param name="SecretAccessKey">The secret access key.</param>
/// <param name="SessionToken">The session token of temporary credentials, or <see langword="null"/>.</param>
internal sealed record SigV4Credentials(string AccessKeyId, string SecretAccessKey, string? SessionToken)
{
    /// <inheritdoc />
    public override string ToString() => "SigV4Credentials(***)";
}
