using System.Text.Json;
using Confluent.Kafka;
using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Variants;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;

namespace EventBus.Benchmarks.EndToEnd;

/// <summary>
/// The raw client doing the same job: ProduceAsync with the same four headers and the producer's configuration, and a
/// Consume loop on a thread of its own with EventConsumer's configuration, deserializing with the same contract and
/// storing each offset after handling it (auto commit of the stored offsets, in the background).
/// </summary>
internal sealed class RawEndToEndVariant(string name, BenchmarkCluster cluster, EndToEndLoad load) : EndToEndVariant(name, cluster, load)
{
    private readonly CancellationTokenSource _stop = new();
    private IProducer<string, byte[]>? _producer;
    private StandardHeaders? _headers;
    private string _topic = string.Empty;
    private Thread? _loop;

    public override ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _loop?.Join();
        _producer?.Dispose();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    protected override void Start(EventBusOptions options, string topic)
    {
        _topic = topic;
        _producer = new ProducerBuilder<string, byte[]>(RawProducerConfig.Create(options)).Build();
        _headers = new StandardHeaders(options.Connection.ServiceName!);
        var config = KafkaClientConfigFactory.CreateConsumerConfig(options);
        config.EnableAutoCommit = true;
        config.EnableAutoOffsetStore = false;
        _loop = new Thread(() => ConsumeLoop(config)) { IsBackground = true, Name = "raw e2e consume loop" };
        _loop.Start();
    }

    protected override async Task<object?> PublishAsync(LatencyEvent message, string key) =>
        await _producer!.ProduceAsync(_topic, new Message<string, byte[]>
        {
            Key = key,
            Value = JsonSerializer.SerializeToUtf8Bytes(message, LatencyJsonContext.Default.LatencyEvent),
            Headers = _headers!.Create(),
        }).ConfigureAwait(false);

    private void ConsumeLoop(ConsumerConfig config)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Subscribe(_topic);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = consumer.Consume(_stop.Token);
                OnHandled(JsonSerializer.Deserialize(result.Message.Value, LatencyJsonContext.Default.LatencyEvent)!);
                consumer.StoreOffset(result);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }

        consumer.Close();
    }
}
