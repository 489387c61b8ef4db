using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EventBus.Kafka.Aws;

/// <summary>
/// AWS Signature Version 4 by query string (a presigned GET URL), as the AWS documentation specifies it: canonical
/// request → string to sign → HMAC-SHA256 with the key derived from the secret, date, region and service.
/// </summary>
/// <remarks>
/// Written here rather than taken from AWSSDK.Core: its presigner (<c>AWS4PreSignedUrlSigner</c>) lives in
/// <c>Amazon.Runtime.Internal.Auth</c>, needs an SDK request object and client configuration, and reads the SDK's own
/// clock; a signing time can be passed only from AWSSDK.Core 4.0.102.19. This is small, fixed by the specification, and
/// tested against AWS's published example.
/// </remarks>
internal static class SigV4QuerySigner
{
    /// <summary>The signing algorithm.</summary>
    internal const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The payload hash S3 presigned URLs use.</summary>
    internal const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>The SHA-256 of an empty payload, which the other services' presigned URLs use (MSK among them).</summary>
    internal const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>Signs a GET request by query string.</summary>
    /// <param name="host">The host, e.g. <c>kafka.eu-west-1.amazonaws.com</c>.</param>
    /// <param name="path">The absolute path, e.g. <c>/</c>.</param>
    /// <param name="parameters">The request's own query parameters (not yet encoded).</param>
    /// <param name="credentials">The credentials that sign.</param>
    /// <param name="region">The region.</param>
    /// <param name="service">The signing name of the service, e.g. <c>kafka-cluster</c>.</param>
    /// <param name="signedAt">The signing time; only whole seconds count.</param>
    /// <param name="expiresSeconds">How long the URL is valid (X-Amz-Expires).</param>
    /// <param name="payloadHash"><see cref="EmptyPayloadHash"/> or <see cref="UnsignedPayload"/>.</param>
    /// <returns>The presigned URL and the intermediate values of the signing.</returns>
    internal static SigV4PresignedUrl Presign(
        string host,
        string path,
        IEnumerable<KeyValuePair<string, string>> parameters,
        SigV4Credentials credentials,
        string region,
        string service,
        DateTimeOffset signedAt,
        int expiresSeconds,
        string payloadHash)
    {
        var utc = signedAt.UtcDateTime;
        var date = utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var amzDate = utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{date}/{region}/{service}/aws4_request";

        var query = new List<KeyValuePair<string, string>>(parameters)
        {
            new("X-Amz-Algorithm", Algorithm),
            new("X-Amz-Credential", credentials.AccessKeyId + "/" + scope),
            new("X-Amz-Date", amzDate),
            new("X-Amz-Expires", expiresSeconds.ToString(CultureInfo.InvariantCulture)),
            new("X-Amz-SignedHeaders", "host"),
        };
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            query.Add(new("X-Amz-Security-Token", credentials.SessionToken));
        }

        var canonicalQuery = string.Join('&', query
            .Select(p => (Key: UriEncode(p.Key), Value: UriEncode(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));
        var canonicalPath = EncodePath(path);
        var canonicalHost = host.ToLowerInvariant();
        var canonicalRequest = $"GET\n{canonicalPath}\n{canonicalQuery}\nhost:{canonicalHost}\n\nhost\n{payloadHash}";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var signature = Sign(credentials.SecretAccessKey, date, region, service, stringToSign);
        var url = $"https://{canonicalHost}{canonicalPath}?{canonicalQuery}&X-Amz-Signature={signature}";
        return new SigV4PresignedUrl(url, canonicalRequest, stringToSign, signature);
    }

    /// <summary>Percent-encodes as SigV4 asks: every byte of the UTF-8 form except A–Z, a–z, 0–9, '-', '_', '.', '~', in upper-case hex.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The encoded value.</returns>
    internal static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length * 2);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string EncodePath(string path) =>
        string.Join('/', path.Split('/').Select(UriEncode));

    private static string Sign(string secretAccessKey, string date, string region, string service, string stringToSign)
    {
        var secret = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        var dateKey = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(date));
        var regionKey = HMACSHA256.HashData(dateKey, Encoding.UTF8.GetBytes(region));
        var serviceKey = HMACSHA256.HashData(regionKey, Encoding.UTF8.GetBytes(service));
        var signingKey = HMACSHA256.HashData(serviceKey, "aws4_request"u8);
        try
        {
            return Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(dateKey);
            CryptographicOperations.ZeroMemory(regionKey);
            CryptographicOperations.ZeroMemory(serviceKey);
            CryptographicOperations.ZeroMemory(signingKey);
        }
    }

    private static string Hex(byte[] bytes) => string.Create(bytes.Length * 2, bytes, static (chars, b) =>
    {
        const string digits = "0123456789abcdef";
        for (var i = 0; i < b.Length; i++)
        {
            chars[2 * i] = digits[b[i] >> 4];
            chars[(2 * i) + 1] = digits[b[i] & 0xF];
        }
    });
}
