using Confluent.Kafka;

namespace EventBus.Kafka.Producing;

/// <summary>One message of a batch: reports into the shared <see cref="BatchCompletion"/>.</summary>
internal sealed class BatchSlot : IPendingDelivery
{
    private readonly DeliveryTracker _owner;
    private readonly BatchCompletion _batch;
    private readonly string _topic;
    private readonly string? _partitionKey;
    private readonly byte[] _messageId;

    public BatchSlot(DeliveryTracker owner, BatchCompletion batch, int index, string topic, string? partitionKey, byte[] messageId)
    {
        _owner = owner;
        _batch = batch;
        Index = index;
        _topic = topic;
        _partitionKey = partitionKey;
        _messageId = messageId;
    }

    public byte[]? KeyBytes { get; set; }

    public int Index { get; }

    public int Shard { get; set; } = -1;

    public object? Producer { get; set; }

    public void OnDelivery(DeliveryReport<IPendingDelivery, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            Fail(report.Error);
        }
        else if (_owner.Complete(this, success: true))
        {
            _batch.Set(new PublishOutcome(Index, new PublishResult(report.Topic, report.Partition.Value, report.Offset.Value, report.Timestamp.UtcDateTime, _messageId), null));
        }
    }

    public void Fail(Error error)
    {
        if (_owner.Complete(this, success: false))
        {
            _batch.Set(new PublishOutcome(Index, null, _owner.CreateException(_topic, _partitionKey, _messageId, error, this)));
        }
    }

    public void Cancel(CancellationToken cancellationToken)
    {
        if (_owner.Complete(this, success: false))
        {
            _batch.Set(new PublishOutcome(Index, null, PublishErrors.CancelledBeforeQueued(_topic, _partitionKey, DeliveryTracker.DecodeId(_messageId))));
        }
    }

    /// <summary>The batch's token was cancelled while this message waited for its acknowledgement.</summary>
    public void CancelWaiting()
    {
        if (_owner.Complete(this, success: false))
        {
            _batch.Set(new PublishOutcome(Index, null, PublishErrors.CancelledWhileWaiting(_topic, _partitionKey, DeliveryTracker.DecodeId(_messageId))));
        }
    }
}
