namespace EventBus.Kafka.Producing;

/// <summary>A completion whose caller passed a cancellation token: cancelling stops the wait for the acknowledgement.</summary>
internal sealed class CancellablePublishCompletion(DeliveryTracker owner, string topic, string? partitionKey, byte[] messageId)
    : PublishCompletion(owner, topic, partitionKey, messageId)
{
    private CancellationTokenRegistration _registration;

    public void Register(CancellationToken cancellationToken)
    {
        _registration = cancellationToken.UnsafeRegister(static (s, token) => ((CancellablePublishCompletion)s!).Cancel(token), this);
        if (Task.IsCompleted)
        {
            _registration.Unregister();
        }
    }

    protected override void OnCompleted() => _registration.Unregister();
}
