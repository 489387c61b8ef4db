using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// Takes one record through a concurrency slot, deserializes it, calls its handler, retries in place with backoff,
/// and dead-letters it when it fails for good; then posts its completion. A null message its handler did not opt in
/// to is skipped (done, so committed). Runs on the workers.
/// </summary>
internal sealed class RecordProcessor(
    SemaphoreSlim concurrency,
    RetryPolicy retry,
    DeadLetterPublisher deadLetters,
    CompletionQueue completions,
    ConsumerLifetime lifetime,
    ConsumerCounters counters,
    ILogger logger,
    ConsumerTelemetry? telemetry = null)
{
    /// <summary>
    /// Processes the record. Never throws: whatever escapes the error policy faults the consumer with the reason, and
    /// the completion is always posted, so no lane stops and no in-flight count leaks.
    /// </summary>
    /// <param name="state">The record's partition.</param>
    /// <param name="record">The record.</param>
    /// <returns>A task that completes when the record is done or dropped.</returns>
    public async Task ProcessAsync(PartitionState state, ConsumeResult<byte[]?, byte[]?> record)
    {
        var done = false;
        try
        {
            if (state.Revoked || lifetime.StopsDispatching)
            {
                return;
            }

            var token = state.Cancellation.Token;
            try
            {
                await concurrency.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                // The partition may have gone while this record waited for a slot.
                done = !state.Revoked && !lifetime.StopsDispatching && await HandleAsync(state.Route, record, token).ConfigureAwait(false);
            }
            finally
            {
                concurrency.Release();
            }
        }
#pragma warning disable CA1031 // Nothing may escape a lane: it would stop the partition for good, unobserved.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lifetime.FailProcessing(record, ex, logger);
        }
        finally
        {
            completions.Post(state, record.Offset.Value, done);
        }
    }

    /// <summary>Handles one record: retries in place, then dead-letters. Returns false when it was dropped (cancelled).</summary>
    private async Task<bool> HandleAsync(ConsumerRoute route, ConsumeResult<byte[]?, byte[]?> record, CancellationToken token)
    {
        using var process = ProcessObservation.Start(telemetry, record);
        object context;
        try
        {
            context = route.CreateContext(record);
        }
        catch (DeserializationFailedException ex)
        {
            Interlocked.Increment(ref counters.RecordsFailed);
            Log.DeserializationFailed(logger, record.Topic, record.Partition.Value, record.Offset.Value, ex.InnerException?.GetType().Name ?? "?");
            process?.Failed(ex.InnerException ?? ex);
            return await deadLetters.DeadLetterAsync(record, ex.InnerException ?? ex, attempts: 0, token).ConfigureAwait(false);
        }

        if (ReferenceEquals(context, ConsumerRoute.NullMessage))
        {
            // The null rule: a handler that did not opt in never sees null; the record is done and committed.
            Interlocked.Increment(ref counters.NullRecordsSkipped);
            Log.NullRecordSkipped(logger, record);
            return true;
        }

        for (var attempt = 1; ; attempt++)
        {
            route.SetAttempt(context, attempt);
            Exception error;
            try
            {
                await route.InvokeAsync(context, token).ConfigureAwait(false);
                Interlocked.Increment(ref counters.RecordsProcessed);
                return true;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                process?.Cancelled();
                return false;
            }
#pragma warning disable CA1031 // A handler may throw anything; the error policy decides.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ex;
            }

            Interlocked.Increment(ref counters.AttemptsFailed);
            if (!retry.ShouldRetry(error, attempt))
            {
                Interlocked.Increment(ref counters.RecordsFailed);
                Log.GivingUp(logger, error, record.Topic, record.Partition.Value, record.Offset.Value, attempt);
                process?.Failed(error);
                return await deadLetters.DeadLetterAsync(record, error, attempt, token).ConfigureAwait(false);
            }

            Interlocked.Increment(ref counters.AttemptsRetried);
            var delay = retry.Backoff(attempt);
            telemetry?.Retrying(record.Topic, record.Partition.Value, attempt, delay, error);
            Log.Retrying(logger, record.Topic, record.Partition.Value, record.Offset.Value, attempt, delay.TotalMilliseconds, error.GetType().Name);
            try
            {
                await Task.Delay(delay, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process?.Cancelled();
                return false;
            }
        }
    }
}
