namespace EventBus.Benchmarks.EndToEnd;

/// <summary>The end-to-end variants' names (tables, JSON file, ratios).</summary>
internal static class EndToEndNames
{
    public const string WrapperFixedRate = "e2e EventProducer → EventConsumer, 1,000 msg/s";
    public const string RawFixedRate = "e2e raw ProduceAsync → raw Consume loop, 1,000 msg/s";
    public const string WrapperSaturation = "e2e EventProducer → EventConsumer, saturation";
    public const string RawSaturation = "e2e raw ProduceAsync → raw Consume loop, saturation";
}
