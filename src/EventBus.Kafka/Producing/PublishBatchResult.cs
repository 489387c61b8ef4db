namespace EventBus.Kafka.Producing;

/// <summary>The outcome of every message of a batch publish, in batch order.</summary>
public sealed class PublishBatchResult
{
    internal PublishBatchResult(PublishOutcome[] outcomes)
    {
        Outcomes = outcomes;
        foreach (var outcome in outcomes)
        {
            if (outcome.Succeeded)
            {
                SucceededCount++;
            }
        }
    }

    /// <summary>Gets one outcome per message, in batch order.</summary>
    public IReadOnlyList<PublishOutcome> Outcomes { get; }

    /// <summary>Gets how many messages the broker acknowledged.</summary>
    public int SucceededCount { get; }

    /// <summary>Gets how many messages failed.</summary>
    public int FailedCount => Outcomes.Count - SucceededCount;

    /// <summary>Gets a value indicating whether every message was acknowledged.</summary>
    public bool AllSucceeded => FailedCount == 0;

    /// <summary>Gets the failed messages' outcomes.</summary>
    public IEnumerable<PublishOutcome> Failures => Outcomes.Where(o => !o.Succeeded);

    /// <inheritdoc />
    public override string ToString() => $"{SucceededCount} published, {FailedCount} failed";
}
