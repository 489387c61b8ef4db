using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventBus.Kafka.Diagnostics;
using EventBus.Kafka.Producing;
using EventBus.Kafka.Serialization;
using Microsoft.Extensions.Logging;

namespace EventBus.Kafka.Consuming;

/// <summary>Publishes an already-encoded record: the dead-letter and error-event path, which keeps the original bytes.</summary>
/// <param name="source">The consumed record it is about (exactly-once mode writes it in that record's transaction).</param>
/// <param name="topic">The topic.</param>
/// <param name="key">The key.</param>
/// <param name="value">The value.</param>
/// <param name="headers">The headers.</param>
/// <param name="cancellationToken">Cancels the wait.</param>
/// <returns>Where the record was stored.</returns>
internal delegate Task<PublishResult> RawPublish(ConsumeResult<byte[]?, byte[]?> source, string topic, byte[]? key, byte[]? value, Headers headers, CancellationToken cancellationToken);

/// <summary>
/// Sends a record that failed for good to the dead-letter topic — the original key, value and headers plus the
/// Spring-compatible <see cref="DeadLetterRecord"/> headers — retrying until that succeeds (the record's offset is
/// committed only after it did), then an <see cref="ErrorEvent"/> to the errors topic when one is configured.
/// </summary>
internal sealed class DeadLetterPublisher
{
    private readonly RawPublish _publish;
    private readonly string _serviceName;
    private readonly string _groupId;
    private readonly byte[] _groupIdBytes;
    private readonly string _deadLetterTopic;
    private readonly string? _errorsTopic;
    private readonly RetryPolicy _retry;
    private readonly ConsumerCounters _counters;
    private readonly ILogger _logger;
    private readonly ConsumerTelemetry? _telemetry;

    /// <summary>Initializes a new instance of the <see cref="DeadLetterPublisher"/> class.</summary>
    /// <param name="publish">Publishes a raw record (the dead-letter producer).</param>
    /// <param name="serviceName">The service name, for error events.</param>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="deadLetterTopic">The dead-letter topic.</param>
    /// <param name="errorsTopic">The errors topic, or <see langword="null"/>.</param>
    /// <param name="retry">The backoff between publish attempts.</param>
    /// <param name="counters">Where dead-letters and their failures are counted.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="telemetry">The consumer's telemetry (the dead-letter count and span event).</param>
    public DeadLetterPublisher(RawPublish publish, string serviceName, string groupId, string deadLetterTopic, string? errorsTopic, RetryPolicy retry, ConsumerCounters counters, ILogger logger, ConsumerTelemetry? telemetry = null)
    {
        _publish = publish;
        _serviceName = serviceName;
        _groupId = groupId;
        _groupIdBytes = Encoding.UTF8.GetBytes(groupId);
        _deadLetterTopic = deadLetterTopic;
        _errorsTopic = errorsTopic;
        _retry = retry;
        _counters = counters;
        _logger = logger;
        _telemetry = telemetry;
    }

    /// <summary>Publishes the record to the DLQ until that succeeds (or the token is cancelled); then the error event.</summary>
    /// <param name="record">The failed record.</param>
    /// <param name="error">Why it failed.</param>
    /// <param name="attempts">How many times the handler ran (0 when it could not be deserialized).</param>
    /// <param name="token">Cancelled when the partition goes away or the consumer stops waiting.</param>
    /// <returns>True when dead-lettered (its offset may be committed); false when cancelled first.</returns>
    /// <exception cref="EventConsumerException">The dead-letter producer was disposed.</exception>
    public async Task<bool> DeadLetterAsync(ConsumeResult<byte[]?, byte[]?> record, Exception error, int attempts, CancellationToken token)
    {
        var compact = false;
        for (var publishAttempt = 1; ; publishAttempt++)
        {
            try
            {
                var headers = DeadLetterRecord.CreateHeaders(record, error, _groupIdBytes, compact);
                var result = await _publish(record, _deadLetterTopic, record.Message.Key, record.Message.Value, headers, token).ConfigureAwait(false);
                Interlocked.Increment(ref _counters.DeadLettered);
                _telemetry?.DeadLettered(record.Topic, record.Partition.Value, result.Topic, attempts, error);
                Log.DeadLettered(_logger, record.Topic, record.Partition.Value, record.Offset.Value, result.Topic, result.Partition, result.Offset);
                break;
            }
            catch (EventPublishException ex) when (ex.ErrorCode == ErrorCode.MsgSizeTooLarge && !compact)
            {
                // A record near the size limit fits as it came, not with the full stack trace beside it: at once again
                // with the compact headers.
                compact = true;
                Interlocked.Increment(ref _counters.DeadLetterFailures);
                Log.DeadLetterTooLarge(_logger, record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Value?.Length ?? 0, _deadLetterTopic);
                continue;
            }
            catch (EventPublishException ex)
            {
                Interlocked.Increment(ref _counters.DeadLetterFailures);
                Log.DeadLetterFailed(_logger, ex, record.Topic, record.Partition.Value, record.Offset.Value, publishAttempt);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return false;
            }
            catch (ObjectDisposedException ex)
            {
                throw ProducerDisposed(ex);
            }

            try
            {
                await Task.Delay(_retry.Backoff(Math.Min(publishAttempt, 8)), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        if (_errorsTopic is not null)
        {
            await PublishErrorEventAsync(_errorsTopic, record, error, attempts, token).ConfigureAwait(false);
        }

        return true;
    }

    private async Task PublishErrorEventAsync(string errorsTopic, ConsumeResult<byte[]?, byte[]?> record, Exception error, int attempts, CancellationToken token)
    {
        var key = record.Message.Key is { } k ? Encoding.UTF8.GetString(k) : null;
        var errorEvent = new ErrorEvent(
            _serviceName, _groupId, record.Topic, record.Partition.Value, record.Offset.Value, key,
            error.GetType().FullName ?? error.GetType().Name, error.Message, attempts, _deadLetterTopic, DateTimeOffset.UtcNow);
        var headers = new Headers { { EventHeaderNames.ContentType, "application/json"u8.ToArray() } };
        try
        {
            await _publish(record, errorsTopic, record.Message.Key, JsonSerializer.SerializeToUtf8Bytes(errorEvent, EventBusJsonContext.Default.ErrorEvent), headers, token)
                .ConfigureAwait(false);
        }
        catch (EventPublishException ex)
        {
            // The record is safe in the DLQ; the error event is information, so its loss is logged, not retried.
            Log.ErrorEventFailed(_logger, ex, errorsTopic, record.Topic, record.Partition.Value, record.Offset.Value);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException ex)
        {
            throw ProducerDisposed(ex);
        }
    }

    private static EventConsumerException ProducerDisposed(ObjectDisposedException exception) => new(
        "The consumer stopped: its dead-letter producer was disposed while the consumer still ran. Dispose the consumer " +
        "before the producer it was given (WithDeadLetterProducer); the record was not committed and will be redelivered.", exception);
}
