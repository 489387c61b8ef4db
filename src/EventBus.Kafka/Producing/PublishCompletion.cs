using Confluent.Kafka;

namespace EventBus.Kafka.Producing;

/// <summary>One message's completion: set from librdkafka's delivery report. Continuations run off the delivery thread.</summary>
internal class PublishCompletion : TaskCompletionSource<PublishResult>, IPendingDelivery
{
    private readonly DeliveryTracker _owner;
    private readonly string _topic;
    private readonly string? _partitionKey;
    private readonly byte[] _messageId;

    public PublishCompletion(DeliveryTracker owner, string topic, string? partitionKey, byte[] messageId)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _owner = owner;
        _topic = topic;
        _partitionKey = partitionKey;
        _messageId = messageId;
        Handler = OnDelivery;
    }

    public Action<DeliveryReport<byte[]?, byte[]?>> Handler { get; }

    public int Shard { get; set; } = -1;

    public object? Producer { get; set; }

    public void Fail(Error error)
    {
        if (_owner.Complete(this, success: false))
        {
            SetException(_owner.CreateException(_topic, _partitionKey, _messageId, error, this));
            OnCompleted();
        }
    }

    public void Cancel(CancellationToken cancellationToken)
    {
        if (_owner.Complete(this, success: false))
        {
            SetCanceled(cancellationToken);
            OnCompleted();
        }
    }

    /// <summary>Called once the task is complete.</summary>
    protected virtual void OnCompleted()
    {
    }

    private void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            Fail(report.Error);
        }
        else if (_owner.Complete(this, success: true))
        {
            SetResult(new PublishResult(report.Topic, report.Partition.Value, report.Offset.Value, report.Timestamp.UtcDateTime, _messageId));
            OnCompleted();
        }
    }
}
