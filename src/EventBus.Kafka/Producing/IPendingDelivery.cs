using Confluent.Kafka;

namespace EventBus.Kafka.Producing;

/// <summary>
/// A message waiting for its delivery report. It has a slot in the producer's registry of pending messages (so
/// closing can fail it) and completes exactly once, from whichever path gets there first.
/// </summary>
internal interface IPendingDelivery
{
    /// <summary>Gets the delegate librdkafka's delivery report is given to.</summary>
    Action<DeliveryReport<byte[]?, byte[]?>> Handler { get; }

    /// <summary>Gets or sets the registry slot this message is in (-1 when not registered).</summary>
    int Shard { get; set; }

    /// <summary>
    /// Gets or sets the Confluent producer the message was handed to, so the messages a failed producer will never
    /// report on can be failed when it is replaced.
    /// </summary>
    object? Producer { get; set; }

    /// <summary>Completes the message as failed, unless it is already complete.</summary>
    /// <param name="error">Why it failed.</param>
    void Fail(Error error);

    /// <summary>Completes the message as cancelled while it waited for room in the local queue, unless it is already complete.</summary>
    /// <param name="cancellationToken">The token that was cancelled.</param>
    void Cancel(CancellationToken cancellationToken);
}
