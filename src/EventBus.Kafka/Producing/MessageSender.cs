using System.Text.Json.Serialization.Metadata;
using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Producing;

/// <summary>
/// The publish paths: hands each record to librdkafka (or, when the local queue is full, to the backlog, which
/// keeps publish order), with one completion per message (a pooled-free <see cref="PublishCompletion"/>), one per
/// batch, or a synchronous wait that sends without lingering.
/// </summary>
internal sealed class MessageSender(ProducerClient client, DeliveryTracker tracker, ProduceBacklog backlog, ImmediateSender immediate, RecordBuilder builder)
{
    private readonly SpanTemplates _sendSpans = new(TelemetryTags.Send);
    private readonly AcknowledgementWait _acknowledgement = new();

    /// <summary>Publishes one record; the task completes when the broker acknowledged it.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitionKey">The key.</param>
    /// <param name="messageId">The message id's bytes.</param>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the wait for room or for the acknowledgement.</param>
    /// <returns>Where it was stored.</returns>
    public Task<PublishResult> SendAsync(string topic, string? partitionKey, byte[] messageId, SerializedRecord record, CancellationToken cancellationToken)
    {
        var completion = cancellationToken.CanBeCanceled
            ? new CancellablePublishCompletion(tracker, topic, partitionKey, messageId)
            : new PublishCompletion(tracker, topic, partitionKey, messageId);
        if (Telemetry.IsSendObserved)
        {
            // The span starts before the record is handed over (its context goes into the traceparent header) and
            // ends in the completion, on the delivery report.
            completion.Observe(SendObservation.Start(_sendSpans.Of(topic), topic, record));
        }

        Error? error;
        try
        {
            error = Enqueue(topic, record, completion, cancellationToken);
        }
        catch (Exception ex)
        {
            completion.Abandon(ex);
            throw;
        }

        if (error is not null)
        {
            completion.Fail(error);
        }
        else if (completion is CancellablePublishCompletion cancellable)
        {
            // Cancelling stops the wait for the acknowledgement too (the message may still be delivered).
            cancellable.Register(cancellationToken);
        }

        return completion.Task;
    }

    /// <summary>Publishes one record and blocks until it is acknowledged, sending at once instead of lingering.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitionKey">The key.</param>
    /// <param name="messageId">The message id's bytes.</param>
    /// <param name="record">The record.</param>
    /// <param name="flushTimeout">How long to wait, for room and for the acknowledgement together.</param>
    /// <returns>Where it was stored.</returns>
    /// <exception cref="EventPublishException">It failed, or was not acknowledged in time.</exception>
    public PublishResult Send(string topic, string? partitionKey, byte[] messageId, SerializedRecord record, TimeSpan flushTimeout)
    {
        // The same path as PublishAsync; the flush timeout bounds both the wait for room and the wait for the ack.
        using var timeout = new CancellationTokenSource(flushTimeout);
        var task = SendAsync(topic, partitionKey, messageId, record, timeout.Token);
        bool completed;

        // A sequential caller cannot fill a batch: send at once instead of lingering (see ImmediateSender), and wait
        // spinning first, as long as acknowledgements have recently taken (see AcknowledgementWait).
        immediate.Enter();
        try
        {
            completed = _acknowledgement.Wait(task, flushTimeout);
        }
        finally
        {
            immediate.Exit();
        }

        if (!completed || task.IsCanceled)
        {
            throw PublishErrors.NotAcknowledged(topic, partitionKey, DeliveryTracker.DecodeId(messageId),
                $"{flushTimeout.TotalSeconds:0.###} s, {EventBusEnvironmentVariables.ProducerFlushTimeout}", queued: !task.IsCanceled, client.Monitor.Current);
        }

        return task.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Queues the batch in order with one completion shared by the whole batch: per message only its slot and
    /// delivery delegate, no Task. Every message gets an outcome; the task never faults once messages are queued.
    /// </summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="topic">The topic.</param>
    /// <param name="items">The messages (none null).</param>
    /// <param name="typeInfo">A source-generated JSON contract, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the waits.</param>
    /// <returns>The outcomes.</returns>
    public async Task<PublishBatchResult> SendBatchAsync<T>(string topic, IReadOnlyList<EventMessage<T>> items, JsonTypeInfo<T>? typeInfo, CancellationToken cancellationToken)
    {
        var batch = new BatchCompletion(items.Count);
        var send = SendObservation.StartBatch(_sendSpans.Of(topic), topic, items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            SerializedRecord record;
            byte[] messageId;
            try
            {
                record = builder.CreateRecord(item.Message, typeInfo, item.PartitionKey, item.Headers, out messageId);
            }
#pragma warning disable CA1031 // A serializer or a bad header may throw anything; that item fails, the others go on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                batch.Set(new PublishOutcome(i, null, PublishErrors.NotBuilt(topic, item.PartitionKey, ex)));
                continue;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                batch.Set(new PublishOutcome(i, null, PublishErrors.CancelledBeforeQueued(topic, item.PartitionKey, DeliveryTracker.DecodeId(messageId))));
                continue;
            }

            send?.Inject(record.Headers);
            var slot = new BatchSlot(tracker, batch, i, topic, item.PartitionKey, messageId);
            batch.Track(slot, cancellationToken);
            if (Enqueue(topic, record, slot, cancellationToken) is { } error)
            {
                slot.Fail(error);
            }
        }

        batch.AllQueued(cancellationToken);
        var result = await batch.Task.ConfigureAwait(false);
        send?.Completed(result);
        return result;
    }

    /// <summary>
    /// Counts the message in flight, registers it and hands it to librdkafka, or — when the local queue is full, or
    /// other messages already wait for room — lines it up in the backlog (bounded by message.timeout.ms and
    /// <paramref name="cancellationToken"/>). Returns the error when it failed at once.
    /// </summary>
    private Error? Enqueue(string topic, SerializedRecord record, IPendingDelivery pending, CancellationToken cancellationToken)
    {
        tracker.Track(pending);
        if (backlog.IsEmpty)
        {
            var error = client.TryProduce(topic, record, pending);
            if (error is null || error.Code != ErrorCode.Local_QueueFull)
            {
                return error;
            }
        }

        backlog.Add(topic, record, pending, cancellationToken);
        return null;
    }
}
