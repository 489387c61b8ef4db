namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>
/// A batch route in exactly-once mode: every context of a batch attempt shares one <see cref="TransactionalPublisher"/>,
/// so what the batch handler publishes keeps its order; it goes with the batch's highest offset, which the commit cycle
/// reaches only once every record of the batch is complete.
/// </summary>
internal sealed class TransactionalBatchRoute(ConsumerRoute inner, TransactionCoordinator transactions)
    : TransactionalRoute(inner, transactions), IBatchRoute
{
    public override async Task InvokeBatchAsync(IReadOnlyList<object> contexts, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var publisher = Transactions.CreatePublisher();
        var last = contexts[0];
        foreach (var context in contexts)
        {
            ((IProducerBinding)context).Producer = publisher;
            if (RecordOf(context).Offset.Value > RecordOf(last).Offset.Value)
            {
                last = context;
            }
        }

        publisher.BeginAttempt();
        try
        {
            await Inner.InvokeBatchAsync(contexts, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            publisher.DiscardAttempt();
            throw;
        }

        Transactions.Complete(RecordOf(last), publisher.EndAttempt(), cancellationToken);
    }
}
