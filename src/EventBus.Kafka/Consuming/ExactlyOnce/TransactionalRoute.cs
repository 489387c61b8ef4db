using Confluent.Kafka;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>
/// A route in exactly-once mode: each record's context gets a <see cref="TransactionalPublisher"/>; every attempt of
/// the handler opens a fresh buffer, a failed attempt discards it, and a successful one hands it to the coordinator with
/// the record (a batch's publishes go with its highest offset). Retries and dead-lettering stay the processors' own.
/// </summary>
internal class TransactionalRoute(ConsumerRoute inner, TransactionCoordinator transactions)
    : ConsumerRoute(inner.Topic, inner.BatchSize, inner.BatchTimeout)
{
    /// <summary>Gets the coordinator.</summary>
    protected TransactionCoordinator Transactions { get; } = transactions;

    /// <summary>Gets the route wrapped.</summary>
    protected ConsumerRoute Inner { get; } = inner;

    public override bool AcceptsNull => Inner.AcceptsNull;

    /// <summary>Wraps a route: a batch route stays a batch route.</summary>
    /// <param name="route">The route.</param>
    /// <param name="transactions">The coordinator.</param>
    /// <returns>The exactly-once route.</returns>
    public static ConsumerRoute Wrap(ConsumerRoute route, TransactionCoordinator transactions) =>
        route.IsBatch ? new TransactionalBatchRoute(route, transactions) : new TransactionalRoute(route, transactions);

    public override object CreateContext(ConsumeResult<byte[]?, byte[]?> record)
    {
        Transactions.Observe(record);
        var context = Inner.CreateContext(record);
        if (context is IProducerBinding binding)
        {
            binding.Producer = Transactions.CreatePublisher();
        }

        return context;
    }

    public override void SetAttempt(object context, int attempt) => Inner.SetAttempt(context, attempt);

    public override async Task InvokeAsync(object context, CancellationToken cancellationToken)
    {
        var publisher = (TransactionalPublisher)((IProducerBinding)context).Producer!;
        cancellationToken.ThrowIfCancellationRequested();
        publisher.BeginAttempt();
        try
        {
            await Inner.InvokeAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            publisher.DiscardAttempt();
            throw;
        }

        Transactions.Complete(RecordOf(context), publisher.EndAttempt(), cancellationToken);
    }

    public override Task InvokeBatchAsync(IReadOnlyList<object> contexts, CancellationToken cancellationToken) =>
        Inner.InvokeBatchAsync(contexts, cancellationToken);

    /// <summary>The record of a context.</summary>
    /// <param name="context">The context (an <see cref="EventContext{T}"/>).</param>
    /// <returns>Its record.</returns>
    protected static ConsumeResult<byte[]?, byte[]?> RecordOf(object context) => ((IProducerBinding)context).Record;
}
