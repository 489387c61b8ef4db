namespace EventBus.Kafka.Aws.Tests;

public sealed class SigV4QuerySignerTests
{
    private static readonly SigV4Credentials ExampleKeys = new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", null);

    /// <summary>
    /// AWS's published example of query-string authentication (Amazon S3 API reference, "Authenticating Requests: Using
    /// Query Parameters (AWS Signature Version 4)"): GET /test.txt of examplebucket, 20130524T000000Z, us-east-1, 86400 s.
    /// </summary>
    [Fact]
    public void Presign_AwsPublishedS3Example_GivesThePublishedSignatureAndUrl()
    {
        var presigned = SigV4QuerySigner.Presign(
            "examplebucket.s3.amazonaws.com", "/test.txt", [], ExampleKeys, "us-east-1", "s3",
            new DateTimeOffset(2013, 5, 24, 0, 0, 0, TimeSpan.Zero), 86400, SigV4QuerySigner.UnsignedPayload);

        Assert.Equal("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", presigned.Signature);
        Assert.Equal(
            "GET\n/test.txt\n" +
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n" +
            "host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD",
            presigned.CanonicalRequest);
        Assert.StartsWith("AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n", presigned.StringToSign, StringComparison.Ordinal);
        Assert.Equal(
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z" +
            "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            presigned.Url);
    }

    [Fact]
    public void Presign_OnlyWholeSecondsCount()
    {
        var at = new DateTimeOffset(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

        var a = SigV4QuerySigner.Presign("examplebucket.s3.amazonaws.com", "/test.txt", [], ExampleKeys, "us-east-1", "s3", at, 86400, SigV4QuerySigner.UnsignedPayload);
        var b = SigV4QuerySigner.Presign("examplebucket.s3.amazonaws.com", "/test.txt", [], ExampleKeys, "us-east-1", "s3", at.AddMilliseconds(999), 86400, SigV4QuerySigner.UnsignedPayload);

        Assert.Equal(a.Signature, b.Signature);
    }

    [Fact]
    public void Presign_SessionToken_IsSignedInTheCanonicalQuery()
    {
        var keys = ExampleKeys with { SessionToken = "tok/en+with=chars" };

        var presigned = SigV4QuerySigner.Presign("examplebucket.s3.amazonaws.com", "/test.txt", [], keys, "us-east-1", "s3",
            new DateTimeOffset(2013, 5, 24, 0, 0, 0, TimeSpan.Zero), 86400, SigV4QuerySigner.UnsignedPayload);

        Assert.Contains("&X-Amz-Security-Token=tok%2Fen%2Bwith%3Dchars&", presigned.CanonicalRequest, StringComparison.Ordinal);
        Assert.NotEqual("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", presigned.Signature);
    }

    [Theory]
    [InlineData("kafka-cluster:Connect", "kafka-cluster%3AConnect")]
    [InlineData("AKID/20240115/us-west-2/kafka-cluster/aws4_request", "AKID%2F20240115%2Fus-west-2%2Fkafka-cluster%2Faws4_request")]
    [InlineData("a+b=c d", "a%2Bb%3Dc%20d")]
    [InlineData("AZaz09-_.~", "AZaz09-_.~")]
    [InlineData("é", "%C3%A9")]
    public void UriEncode_EncodesAllButUnreservedInUpperCaseHex(string value, string expected) =>
        Assert.Equal(expected, SigV4QuerySigner.UriEncode(value));

    [Fact]
    public void Credentials_ToString_ShowsNoValue()
    {
        var text = (ExampleKeys with { SessionToken = "session-token" }).ToString();

        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", text, StringComparison.Ordinal);
        Assert.DoesNotContain("EXAMPLEKEY", text, StringComparison.Ordinal);
        Assert.DoesNotContain("session-token", text, StringComparison.Ordinal);
    }
}
