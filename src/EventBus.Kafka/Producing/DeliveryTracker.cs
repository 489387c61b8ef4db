using System.Text;
using Confluent.Kafka;

namespace EventBus.Kafka.Producing;

/// <summary>
/// The messages handed to the producer and not yet complete: counts them (sent, failed, in flight), keeps them in a
/// registry so that nothing is left waiting — when a failed producer is replaced, or on close — and completes each
/// exactly once, whichever path (delivery report, cancellation, close) gets there first.
/// </summary>
internal sealed class DeliveryTracker(ProducerClient client, ProduceBacklog backlog)
{
    private readonly PendingRegistry _pending = new();
    private long _sent;
    private long _failed;
    private long _inFlight;

    /// <summary>Gets the messages acknowledged.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Gets the messages that failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Gets the messages not yet complete.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Counts a message in flight and registers it.</summary>
    /// <param name="pending">The message.</param>
    public void Track(IPendingDelivery pending)
    {
        Interlocked.Increment(ref _inFlight);
        _pending.Add(pending);
    }

    /// <summary>Takes the message out of the registry and counts it; false when another path completed it first.</summary>
    /// <param name="pending">The message.</param>
    /// <param name="success">Whether it was acknowledged.</param>
    /// <returns>Whether this call completed it.</returns>
    public bool Complete(IPendingDelivery pending, bool success)
    {
        if (!_pending.Remove(pending))
        {
            return false;
        }

        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref success ? ref _sent : ref _failed);
        if (success)
        {
            client.OnDelivered();
        }

        backlog.SignalRoom();
        return true;
    }

    /// <summary>The exception for a message whose delivery failed.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitionKey">The key.</param>
    /// <param name="messageId">The message id's bytes.</param>
    /// <param name="error">The error.</param>
    /// <param name="pending">The message (which producer it went to tells whether the error is that producer's fatal one).</param>
    /// <returns>The exception.</returns>
    public EventPublishException CreateException(string topic, string? partitionKey, byte[] messageId, Error error, IPendingDelivery pending) =>
        PublishErrors.Delivery(topic, partitionKey, DecodeId(messageId), error, client.IsFatallyFailed(pending.Producer), client.HasFailed, client.Diagnose(error, topic), client.IsClosing);

    /// <summary>
    /// Fails the messages a replaced producer had not answered: they will never get a delivery report from it.
    /// </summary>
    /// <param name="failedProducer">The producer that hit the fatal error.</param>
    public void FailUnreported(object failedProducer) =>
        _pending.FailAll(
            p => ReferenceEquals(p.Producer, failedProducer),
            p => p.Fail(new Error(ErrorCode.Local_Fatal, "the broker had not acknowledged it when the failed producer was replaced, so it may or may not be stored: publishing again can duplicate it", isFatal: true)));

    /// <summary>Fails the messages handed to a producer that was discarded with its queue (TLS or authentication failing).</summary>
    /// <param name="discardedProducer">The producer.</param>
    /// <param name="error">Why (it carries the diagnosis).</param>
    public void FailDiscarded(object discardedProducer, Error error) =>
        _pending.FailAll(p => ReferenceEquals(p.Producer, discardedProducer), p => p.Fail(error));

    /// <summary>Fails every message still waiting (closing: their delivery reports will never come).</summary>
    /// <param name="error">Why.</param>
    /// <returns>How many messages it failed.</returns>
    public int FailAll(Error error)
    {
        var failed = 0;
        _pending.FailAll(static _ => true, p =>
        {
            failed++;
            p.Fail(error);
        });
        return failed;
    }

    /// <summary>The message id as text.</summary>
    /// <param name="messageId">Its bytes.</param>
    /// <returns>The text.</returns>
    public static string DecodeId(byte[]? messageId) => messageId is null ? string.Empty : Encoding.UTF8.GetString(messageId);
}
