namespace WorkerService;

/// <summary>A scoped service standing in for a DbContext: one instance per handled message.</summary>
public sealed class OrderBook
{
    /// <summary>Gets this instance's id (to see that each message gets its own scope).</summary>
    public Guid ScopeId { get; } = Guid.NewGuid();

    /// <summary>Records the order.</summary>
    /// <param name="order">The order.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task.</returns>
    public Task SaveAsync(OrderPlaced order, CancellationToken cancellationToken) => Task.CompletedTask;
}
