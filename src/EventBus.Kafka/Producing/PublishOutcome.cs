namespace EventBus.Kafka.Producing;

/// <summary>What happened to one message of a batch.</summary>
/// <param name="Index">The message's position in the batch.</param>
/// <param name="Result">Where it was stored, when it succeeded.</param>
/// <param name="Error">Why it failed, when it did.</param>
public sealed record PublishOutcome(int Index, PublishResult? Result, EventPublishException? Error)
{
    /// <summary>Gets a value indicating whether the broker acknowledged the message.</summary>
    public bool Succeeded => Error is null;
}
