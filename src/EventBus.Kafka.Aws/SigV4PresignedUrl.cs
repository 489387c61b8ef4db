namespace EventBus.Kafka.Aws;

/// <summary>A presigned URL and the intermediate values of its signing (for tests against AWS's published example).</summary>
/// <param name="Url">The URL: the canonical query string, then X-Amz-Signature.</param>
/// <param name="CanonicalRequest">The canonical request.</param>
/// <param name="StringToSign">The string to sign.</param>
/// <param name="Signature">The signature, lower-case hex.</param>
internal sealed record SigV4PresignedUrl(string Url, string CanonicalRequest, string StringToSign, string Signature);
