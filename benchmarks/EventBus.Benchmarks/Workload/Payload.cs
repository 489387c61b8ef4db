using System.Text.Json;

namespace EventBus.Benchmarks.Workload;

/// <summary>
/// What every variant sends: record <c>i</c> is <see cref="BenchmarkEvent.Create"/>(i) serialized with the same
/// source-generated contract, keyed by one of 1,000 keys made once. No variant gets cheaper input than another.
/// </summary>
internal static class Payload
{
    public const int KeyCount = 1_000;

    /// <summary>The logical topic key the wrapper publishes to (<c>KAFKA_TOPIC_BENCH</c>).</summary>
    public const string TopicKey = "BENCH";

    private static readonly string[] Keys = Enumerable.Range(0, KeyCount).Select(i => "key-" + i).ToArray();

    public static string Key(int i) => Keys[i % KeyCount];

    public static BenchmarkEvent Event(int i) => BenchmarkEvent.Create(i);

    /// <summary>What the raw variants do where the wrapper serializes: the same event, the same contract.</summary>
    public static byte[] Serialize(int i) => JsonSerializer.SerializeToUtf8Bytes(BenchmarkEvent.Create(i), BenchmarkJsonContext.Default.BenchmarkEvent);

    public static int SerializedSize => Serialize(1).Length;
}
