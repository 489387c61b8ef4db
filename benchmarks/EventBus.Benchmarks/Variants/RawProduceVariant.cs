using System.Diagnostics;
using Confluent.Kafka;
using EventBus.Benchmarks.Harness;
using EventBus.Benchmarks.Workload;
using EventBus.Kafka.Configuration;

namespace EventBus.Benchmarks.Variants;

/// <summary>
/// The raw client's fastest path: <c>Produce</c> with a delivery callback, at most <c>window</c> in flight. With
/// the four standard headers it does EventProducer's job (the limit); without them it shows what the headers cost.
/// With a <see cref="HandMadeSendTelemetry"/> it also gives every message a send span and the send metrics by hand,
/// whenever something listens (run under <see cref="WithListeners"/>): what a span per message costs any client.
/// </summary>
internal sealed class RawProduceVariant : IVariant
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly string _topic;
    private readonly int _messages;
    private readonly int _window;
    private readonly StandardHeaders? _headers;
    private readonly Action<DeliveryReport<string, byte[]>> _onDelivery;
    private readonly HandMadeSendTelemetry? _telemetry;
    private InFlightWindow _inFlight = new(1);
    private long _failed;

    public RawProduceVariant(string name, EventBusOptions options, string topic, int messages, int window, bool withHeaders, bool withSpans = false)
    {
        _telemetry = withSpans ? new HandMadeSendTelemetry(topic) : null;
        Name = name;
        _producer = new ProducerBuilder<string, byte[]>(RawProducerConfig.Create(options)).Build();
        _topic = topic;
        _messages = messages;
        _window = window;
        _headers = withHeaders ? new StandardHeaders(options.Connection.ServiceName!) : null;
        _onDelivery = OnDelivery;
    }

    public string Name { get; }

    public Task WarmUpAsync() => _producer.ProduceAsync(_topic, new Message<string, byte[]> { Key = "warm-up", Value = Payload.Serialize(0), Headers = _headers?.Create() });

    public Task<Measurement> RunAsync(RunContext run)
    {
        var window = _inFlight = new InFlightWindow(_window);
        _failed = 0;
        ResourceSnapshot.Settle();
        var start = ResourceSnapshot.Take();
        for (var i = 0; i < _messages; i++)
        {
            window.Enter();
            var message = new Message<string, byte[]> { Key = Payload.Key(i), Value = Payload.Serialize(i), Headers = _headers?.Create() };
            if (_telemetry is not null && message.Headers is { } headers && _telemetry.Start(headers) is { } span)
            {
                Produce(message, Observed(span, message));
            }
            else
            {
                Produce(message, _onDelivery);
            }
        }

        window.WaitUntilEmpty(TimeSpan.FromMinutes(2));
        var end = ResourceSnapshot.Take();
        Check.That(Interlocked.Read(ref _failed) == 0, $"{Name}: {_failed:N0} messages failed");
        return Task.FromResult(start.Until(end, Name, run, _messages, window.Waits));
    }

    public ValueTask DisposeAsync()
    {
        _producer.Dispose();
        _telemetry?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Produce(Message<string, byte[]> message, Action<DeliveryReport<string, byte[]>> onDelivery)
    {
        while (true)
        {
            try
            {
                _producer.Produce(_topic, message, onDelivery);
                return;
            }
            catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                Thread.Sleep(1); // only with a window larger than librdkafka's queue
            }
        }
    }

    /// <summary>The per-message callback a raw client needs to end that message's span (Produce takes no state).</summary>
    private Action<DeliveryReport<string, byte[]>> Observed(Activity span, Message<string, byte[]> message)
    {
        var started = Stopwatch.GetTimestamp();
        var key = message.Key;
        var messageId = message.Headers[StandardHeaders.MessageIdIndex].GetValueBytes();
        var bodySize = message.Value.Length;
        return report =>
        {
            _telemetry!.Delivered(span, started, key, messageId, bodySize, report.Partition, report.Offset);
            OnDelivery(report);
        };
    }

    private void OnDelivery(DeliveryReport<string, byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failed);
        }

        _inFlight.Exit();
    }
}
