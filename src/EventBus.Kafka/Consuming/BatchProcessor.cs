using System.Diagnostics;
using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>
/// The batch path: fills a batch from one lane (up to the route's size, waiting at most its timeout), sends the
/// records that cannot be deserialized to the DLQ at once, skips the null messages its handler did not opt in to
/// (done, so committed), and hands the rest to the batch handler together —
/// retried in place, dead-lettered together when they fail for good. Runs on the workers.
/// </summary>
internal sealed class BatchProcessor(
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
    /// Processes a batch that starts with <paramref name="first"/>. Never throws (as
    /// <see cref="RecordProcessor.ProcessQueuedAsync"/>); every record of the batch gets its completion.
    /// </summary>
    /// <param name="lane">The lane the records come from.</param>
    /// <param name="first">The first record.</param>
    /// <returns>A task that completes when the batch is done or dropped.</returns>
    public async Task ProcessAsync(Lane lane, ConsumeResult<byte[]?, byte[]?> first)
    {
        var state = lane.Owner;
        var route = state.Route;
        var records = new List<ConsumeResult<byte[]?, byte[]?>>(route.BatchSize) { first };
        var outcomes = new bool[route.BatchSize];
        try
        {
            await HandleBatchAsync(lane, records, outcomes).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nothing may escape a lane: it would stop the partition for good, unobserved.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lifetime.FailProcessing(first, ex, logger);
        }
        finally
        {
            for (var i = 0; i < records.Count; i++)
            {
                completions.Post(state, records[i].Offset.Value, outcomes[i]);
            }
        }
    }

    /// <summary>Fills the batch, then handles it: retries in place, dead-letters; sets the outcome of each record.</summary>
    private async Task HandleBatchAsync(Lane lane, List<ConsumeResult<byte[]?, byte[]?>> records, bool[] outcomes)
    {
        var state = lane.Owner;
        var route = state.Route;
        var deadline = Stopwatch.GetTimestamp() + (long)(route.BatchTimeout.TotalSeconds * Stopwatch.Frequency);
        while (records.Count < route.BatchSize && !state.Revoked && !lifetime.StopsDispatching)
        {
            if (lane.Queue.TryDequeue(out var next))
            {
                records.Add(next);
            }
            else if (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
            else
            {
                break;
            }
        }

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

        using var process = ProcessObservation.StartBatch(telemetry, records);
        try
        {
            // Undeserializable records leave the batch for the DLQ at once; the rest are handled together.
            var contexts = new List<object>(records.Count);
            var indexes = new List<int>(records.Count);
            for (var i = 0; i < records.Count; i++)
            {
                try
                {
                    var context = route.CreateContext(records[i]);
                    if (ReferenceEquals(context, ConsumerRoute.NullMessage))
                    {
                        // The null rule, as for a single record: skipped, done, committed.
                        Interlocked.Increment(ref counters.NullRecordsSkipped);
                        Log.NullRecordSkipped(logger, records[i]);
                        outcomes[i] = true;
                        continue;
                    }

                    contexts.Add(context);
                    indexes.Add(i);
                }
                catch (DeserializationFailedException ex)
                {
                    Interlocked.Increment(ref counters.RecordsFailed);
                    Log.DeserializationFailed(logger, records[i].Topic, records[i].Partition.Value, records[i].Offset.Value, ex.InnerException?.GetType().Name ?? "?");
                    outcomes[i] = await deadLetters.DeadLetterAsync(records[i], ex.InnerException ?? ex, 0, token).ConfigureAwait(false);
                }
            }

            for (var attempt = 1; contexts.Count > 0; attempt++)
            {
                contexts.ForEach(c => route.SetAttempt(c, attempt));
                Exception error;
                try
                {
                    await route.InvokeBatchAsync(contexts, token).ConfigureAwait(false);
                    Interlocked.Add(ref counters.RecordsProcessed, contexts.Count);
                    indexes.ForEach(i => outcomes[i] = true);
                    break;
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    process?.Cancelled();
                    break;
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
                    Interlocked.Add(ref counters.RecordsFailed, contexts.Count);
                    process?.Failed(error);
                    foreach (var i in indexes)
                    {
                        outcomes[i] = await deadLetters.DeadLetterAsync(records[i], error, attempt, token).ConfigureAwait(false);
                    }

                    break;
                }

                Interlocked.Increment(ref counters.AttemptsRetried);
                var delay = retry.Backoff(attempt);
                telemetry?.Retrying(records[0].Topic, records[0].Partition.Value, attempt, delay, error);
                try
                {
                    await Task.Delay(delay, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            concurrency.Release();
        }
    }
}
