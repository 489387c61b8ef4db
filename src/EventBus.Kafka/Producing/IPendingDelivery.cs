using Confluent.Kafka;

namespace EventBus.Kafka.Producing;

/// <summary>
/// A message waiting for its delivery report. It has a slot in the producer's registry of pending messages (so
/// closing can fail it) and completes exactly once, from whichever path gets there first.
/// </summary>
internal interface IPendingDelivery
{
    /// <summary>
    /// Gets or sets the record's key bytes while it is handed to librdkafka (the producer's key serializer reads them
    /// from here; <see langword="null"/> otherwise). The message itself is the record's key object, so the delivery
    /// report hands it back to one shared handler: nothing per message beyond the message is kept alive meanwhile.
    /// </summary>
    byte[]? KeyBytes { get; set; }

    /// <summary>Gets or sets the registry slot this message is in (-1 when not registered).</summary>
    int Shard { get; set; }

    /// <summary>
    /// Gets or sets the Confluent producer the message was handed to, so the messages a failed producer will never
    /// report on can be failed when it is replaced.
    /// </summary>
    object? Producer { get; set; }

    /// <summary>Completes the message from its delivery report (on librdkafka's delivery thread).</summary>
    /// <param name="report">The report.</param>
    void OnDelivery(DeliveryReport<IPendingDelivery, byte[]?> report);

    /// <summary>Completes the message as failed, unless it is already complete.</summary>
    /// <param name="error">Why it failed.</param>
    void Fail(Error error);

    /// <summary>Completes the message as cancelled while it waited for room in the local queue, unless it is already complete.</summary>
    /// <param name="cancellationToken">The token that was cancelled.</param>
    void Cancel(CancellationToken cancellationToken);
}
