using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace EventBus.Kafka.Aws.Tests;

/// <summary>
/// The token, decoded and checked parameter by parameter. The public signers' own tests (aws-msk-iam-sasl-signer for
/// Go, Python, JavaScript and .NET) only decode tokens made at the current time; none ships a fixed-clock token. The
/// signatures below were made once, for the same credentials, region and time, with AWSSDK.Core 4.0.102.19's
/// AWS4PreSignedUrlSigner.SignRequest(..., signedAt) on the request aws-msk-iam-sasl-signer-net builds (GET
/// https://kafka.us-west-2.amazonaws.com/ with Action=kafka-cluster:Connect, X-Amz-Expires=900, service kafka-cluster),
/// so they cross-check this signer against the SDK's.
/// </summary>
public sealed class MskIamTokenTests
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string SessionAccessKey = "ASIAIOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string SessionToken = "IQoJb3JpZ2luX2VjEXAMPLE/session+token==";
    private const string SdkSignatureBasic = "5ce75a672171e9d4d553b605ec1617da76afe5e7bfd79883d046e9a0198ed5c4";
    private const string SdkSignatureSession = "dca27e544b69fb642533dea3cb3c860645bce17aa871ee0346a46ccc53c2f619";
    private static readonly DateTimeOffset SignedAt = new(2024, 1, 15, 10, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task Token_LongTermCredentials_DecodesToEveryExpectedParameter()
    {
        var clock = new FakeTimeProvider(SignedAt.AddMilliseconds(789));
        var provider = new MskIamTokenProvider("us-west-2", new BasicAWSCredentials(AccessKey, SecretKey), clock);

        var token = await provider.GetTokenAsync(TestContext.Current.CancellationToken);

        var (url, query, _) = TokenDecoding.Decode(token.Value);
        Assert.Equal("https", url.Scheme);
        Assert.Equal("kafka.us-west-2.amazonaws.com", url.Host);
        Assert.Equal("/", url.AbsolutePath);
        Assert.Equal(
            ["Action", "User-Agent", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature", "X-Amz-SignedHeaders"],
            query.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("kafka-cluster:Connect", query["Action"]);
        Assert.Equal("AWS4-HMAC-SHA256", query["X-Amz-Algorithm"]);
        Assert.Equal($"{AccessKey}/20240115/us-west-2/kafka-cluster/aws4_request", query["X-Amz-Credential"]);
        Assert.Equal("20240115T103000Z", query["X-Amz-Date"]);
        Assert.Equal("900", query["X-Amz-Expires"]);
        Assert.Equal("host", query["X-Amz-SignedHeaders"]);
        Assert.Equal(MskIamTokenProvider.UserAgent, query["User-Agent"]);
        Assert.StartsWith("eventbus-kafka-aws/", query["User-Agent"], StringComparison.Ordinal);
        Assert.DoesNotContain('+', query["User-Agent"]);
        Assert.Equal(SdkSignatureBasic, query["X-Amz-Signature"]);
        Assert.Equal(SignedAt.AddSeconds(900), token.ExpiresAt);
        Assert.Equal("aws-msk-iam", token.PrincipalName);
    }

    [Fact]
    public async Task Token_SessionCredentials_CarriesTheSignedSecurityToken()
    {
        var clock = new FakeTimeProvider(SignedAt);
        var provider = new MskIamTokenProvider("us-west-2", new SessionAWSCredentials(SessionAccessKey, SecretKey, SessionToken), clock);

        var token = await provider.GetTokenAsync(TestContext.Current.CancellationToken);

        var (_, query, text) = TokenDecoding.Decode(token.Value);
        Assert.Equal(SessionToken, query["X-Amz-Security-Token"]);
        Assert.Contains("X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2Fsession%2Btoken%3D%3D", text, StringComparison.Ordinal);
        Assert.Equal($"{SessionAccessKey}/20240115/us-west-2/kafka-cluster/aws4_request", query["X-Amz-Credential"]);
        Assert.Equal(SdkSignatureSession, query["X-Amz-Signature"]);
        Assert.Equal(9, query.Count);
    }

    [Fact]
    public async Task Token_UserAgentComesAfterTheSignature_AsTheSignersAddIt()
    {
        var provider = new MskIamTokenProvider("eu-west-1", new BasicAWSCredentials(AccessKey, SecretKey), new FakeTimeProvider(SignedAt));

        var (_, _, text) = TokenDecoding.Decode((await provider.GetTokenAsync(TestContext.Current.CancellationToken)).Value);

        Assert.StartsWith("https://kafka.eu-west-1.amazonaws.com/?Action=kafka-cluster%3AConnect&X-Amz-Algorithm=", text, StringComparison.Ordinal);
        Assert.Matches("&X-Amz-Signature=[0-9a-f]{64}&User-Agent=eventbus-kafka-aws%2F[^&]+$", text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("EU-WEST-1")]
    [InlineData("eu-west-1.evil.example")]
    [InlineData("eu west 1")]
    [InlineData("-eu-west-1")]
    public void Constructor_NotARegionName_ThrowsNamingAwsRegion(string region)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new MskIamTokenProvider(region, new BasicAWSCredentials(AccessKey, SecretKey)));

        if (region.Length > 0)
        {
            Assert.Contains("AWS_REGION", ex.Message, StringComparison.Ordinal);
        }
    }
}
