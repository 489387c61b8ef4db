using EventBus.Kafka.Consuming;
using Microsoft.Extensions.DependencyInjection;

namespace EventBus.Kafka.Hosting.Consumers;

/// <summary>The core handler delegates that open a new DI scope per delivery attempt and resolve the handler in it.</summary>
internal static class ScopedHandlers
{
    /// <summary>A handler that resolves <typeparamref name="THandler"/> from a new scope for every attempt.</summary>
    public static EventMessageHandler<T> For<T, THandler>(IServiceProvider services)
        where THandler : class, IEventHandler<T>
    {
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        return async (context, cancellationToken) =>
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(context, cancellationToken).ConfigureAwait(false);
            }
        };
    }

    /// <summary>A delegate handler that gets the services of a new scope for every attempt.</summary>
    public static EventMessageHandler<T> For<T>(IServiceProvider services, Func<EventContext<T>, IServiceProvider, CancellationToken, Task> handler)
    {
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        return async (context, cancellationToken) =>
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                await handler(context, scope.ServiceProvider, cancellationToken).ConfigureAwait(false);
            }
        };
    }

    /// <summary>A batch handler that resolves <typeparamref name="THandler"/> from a new scope for every attempt at a batch.</summary>
    public static EventBatchHandler<T> ForBatch<T, THandler>(IServiceProvider services)
        where THandler : class, IEventBatchHandler<T>
    {
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        return async (batch, cancellationToken) =>
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        };
    }
}
