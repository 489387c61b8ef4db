using System.Diagnostics;
using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// Takes a lane's records through a concurrency slot one by one: deserializes each, calls its handler, retries in
/// place with backoff, and dead-letters it when it fails for good; then posts its completion. A null message its
/// handler did not opt in to is skipped (done, so committed). Runs on the workers.
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
    /// How long a lane keeps its concurrency slot while it has records queued, before it gives a waiting lane its turn.
    /// One slot per record made the lanes of <see cref="EventConsumerOptions.MaxConcurrency"/> 1 hand the slot to each
    /// other at every record: the semaphore's lock was contended and every record resumed on another thread. Holding it
    /// for a slice costs another partition at most this much latency, and a handler slower than the slice still
    /// takes turns record by record.
    /// </summary>
    internal static readonly TimeSpan SlotSlice = TimeSpan.FromMilliseconds(1);

    private static readonly long SlotSliceTicks = (long)(SlotSlice.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// Processes the lane's queued records in order, each on a concurrency slot: one slot is held for the records taken
    /// within <see cref="SlotSlice"/>, then released and taken again. Never throws: whatever escapes the error policy
    /// faults the consumer with the reason, and every record's completion is posted, so no lane stops and no in-flight
    /// count leaks.
    /// </summary>
    /// <param name="lane">The lane (one partition's, or one key group's).</param>
    /// <returns>A task that completes when the lane's queue is empty.</returns>
    public async Task ProcessQueuedAsync(Lane lane)
    {
        var state = lane.Owner;
        while (lane.Queue.TryDequeue(out var record))
        {
            if (!await TryEnterAsync(state, record).ConfigureAwait(false))
            {
                // The partition went away or the consumer stops: the record is dropped (redelivered to the next owner).
                completions.Post(state, record.Offset.Value, done: false);
                continue;
            }

            try
            {
                var entered = Stopwatch.GetTimestamp();
                do
                {
                    await ProcessOnSlotAsync(state, record).ConfigureAwait(false);
                }
                while (Stopwatch.GetTimestamp() - entered < SlotSliceTicks && lane.Queue.TryDequeue(out record));
            }
            finally
            {
                concurrency.Release();
            }
        }
    }

    /// <summary>
    /// Processes one record on a slot of its own (what <see cref="ProcessQueuedAsync"/> does for each record of a lane,
    /// for callers holding a single record). Never throws; the record's completion is always posted.
    /// </summary>
    /// <param name="state">The record's partition.</param>
    /// <param name="record">The record.</param>
    /// <returns>A task that completes when the record is done or dropped.</returns>
    public async Task ProcessAsync(PartitionState state, ConsumeResult<byte[]?, byte[]?> record)
    {
        if (!await TryEnterAsync(state, record).ConfigureAwait(false))
        {
            completions.Post(state, record.Offset.Value, done: false);
            return;
        }

        try
        {
            await ProcessOnSlotAsync(state, record).ConfigureAwait(false);
        }
        finally
        {
            concurrency.Release();
        }
    }

    /// <summary>Waits for a concurrency slot; false when the partition went away or the consumer stops meanwhile.</summary>
    private async ValueTask<bool> TryEnterAsync(PartitionState state, ConsumeResult<byte[]?, byte[]?> record)
    {
        if (state.Revoked || lifetime.StopsDispatching)
        {
            return false;
        }

        try
        {
            await concurrency.WaitAsync(state.Cancellation.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
#pragma warning disable CA1031 // Nothing may escape a lane: it would stop the partition for good, unobserved.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lifetime.FailProcessing(record, ex, logger);
            return false;
        }
    }

    /// <summary>Processes one record on a slot the caller holds, and posts its completion.</summary>
    private async Task ProcessOnSlotAsync(PartitionState state, ConsumeResult<byte[]?, byte[]?> record)
    {
        var done = false;
        try
        {
            // The partition may have gone while this record waited in its lane.
            done = !state.Revoked && !lifetime.StopsDispatching && await HandleAsync(state.Route, record, state.Cancellation.Token).ConfigureAwait(false);
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
