using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Producing;

/// <summary>
/// One message's completion: set from librdkafka's delivery report. Continuations run off the delivery thread. While a
/// listener is attached it carries the message's <see cref="SendObservation"/>, which ends (span stopped, metrics
/// recorded) just before the task completes: no second task or continuation per message.
/// </summary>
internal class PublishCompletion : TaskCompletionSource<PublishResult>, IPendingDelivery
{
    private readonly DeliveryTracker _owner;
    private readonly string _topic;
    private readonly string? _partitionKey;
    private readonly byte[] _messageId;
    private SendObservation? _observation;

    public PublishCompletion(DeliveryTracker owner, string topic, string? partitionKey, byte[] messageId)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _owner = owner;
        _topic = topic;
        _partitionKey = partitionKey;
        _messageId = messageId;
    }

    public byte[]? KeyBytes { get; set; }

    public int Shard { get; set; } = -1;

    public object? Producer { get; set; }

    /// <summary>Sets the observation to end when the message completes (before it is handed to librdkafka).</summary>
    /// <param name="observation">The started observation.</param>
    public void Observe(SendObservation observation) => _observation = observation;

    /// <summary>Ends the observation as failed when handing the message over threw (the caller gets the exception).</summary>
    /// <param name="error">What was thrown.</param>
    public void Abandon(Exception error) => _observation?.Failed(error, _partitionKey, _messageId);

    public void OnDelivery(DeliveryReport<IPendingDelivery, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            Fail(report.Error);
        }
        else if (_owner.Complete(this, success: true))
        {
            var result = new PublishResult(report.Topic, report.Partition.Value, report.Offset.Value, report.Timestamp.UtcDateTime, _messageId);
            _observation?.Delivered(result, _partitionKey, _messageId);
            SetResult(result);
            OnCompleted();
        }
    }

    public void Fail(Error error)
    {
        if (_owner.Complete(this, success: false))
        {
            var exception = _owner.CreateException(_topic, _partitionKey, _messageId, error, this);
            _observation?.Failed(exception, _partitionKey, _messageId);
            SetException(exception);
            OnCompleted();
        }
    }

    public void Cancel(CancellationToken cancellationToken)
    {
        if (_owner.Complete(this, success: false))
        {
            _observation?.Cancelled(_partitionKey, _messageId);
            SetCanceled(cancellationToken);
            OnCompleted();
        }
    }

    /// <summary>Called once the task is complete.</summary>
    protected virtual void OnCompleted()
    {
    }
}
