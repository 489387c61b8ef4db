using System.Diagnostics;
using Confluent.Kafka;

namespace EventBus.Kafka.Producing;

/// <summary>
/// The messages the full local queue refused, in publish order. One drain loop hands them to librdkafka as room
/// appears (woken by deliveries), and while any message waits here new publishes line up behind it: waiting for room
/// never reorders a publisher's messages, and no publisher spins.
/// </summary>
internal sealed class ProduceBacklog
{
    private static readonly TimeSpan WaitCap = TimeSpan.FromMilliseconds(50);
    private readonly LinkedList<Entry> _entries = new();
    private readonly Func<string, SerializedRecord, IPendingDelivery, Error?> _tryProduce;
    private readonly TimeSpan _messageTimeout;
    private readonly Action _onFull;
    private volatile TaskCompletionSource _room = NewSignal();
    private int _count;
    private bool _draining;

    /// <summary>Initializes a new instance of the <see cref="ProduceBacklog"/> class.</summary>
    /// <param name="tryProduce">Hands a message to librdkafka; returns the error when it was not queued.</param>
    /// <param name="messageTimeout">How long a message may wait here (message.timeout.ms).</param>
    /// <param name="onFull">Called when the backlog starts (for logging).</param>
    public ProduceBacklog(Func<string, SerializedRecord, IPendingDelivery, Error?> tryProduce, TimeSpan messageTimeout, Action onFull)
    {
        _tryProduce = tryProduce;
        _messageTimeout = messageTimeout;
        _onFull = onFull;
    }

    /// <summary>Gets a value indicating whether no message is waiting.</summary>
    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    /// <summary>Lines a message up; its outcome goes to <paramref name="pending"/>.</summary>
    public void Add(string topic, SerializedRecord record, IPendingDelivery pending, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_messageTimeout.TotalSeconds * Stopwatch.Frequency);
        lock (_entries)
        {
            _entries.AddLast(new Entry(topic, record, pending, cancellationToken, deadline));
            Volatile.Write(ref _count, _count + 1);
            if (_draining)
            {
                return;
            }

            _draining = true;
        }

        _onFull();
        _ = Task.Run(DrainAsync);
    }

    /// <summary>Wakes the drain loop: a delivery made room.</summary>
    public void SignalRoom()
    {
        if (!IsEmpty)
        {
            Interlocked.Exchange(ref _room, NewSignal()).TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task DrainAsync()
    {
        while (true)
        {
            Entry head;
            lock (_entries)
            {
                if (_entries.First is null)
                {
                    _draining = false;
                    return;
                }

                head = _entries.First.Value;
            }

            var room = _room.Task;
            if (head.Cancellation.IsCancellationRequested)
            {
                RemoveFirst();
                head.Pending.Cancel(head.Cancellation);
                continue;
            }

            var error = _tryProduce(head.Topic, head.Record, head.Pending);
            if (error is null || error.Code != ErrorCode.Local_QueueFull || Stopwatch.GetTimestamp() >= head.Deadline)
            {
                RemoveFirst();
                if (error is not null)
                {
                    head.Pending.Fail(error.Code == ErrorCode.Local_QueueFull
                        ? new Error(ErrorCode.Local_QueueFull, $"the local queue stayed full for message.timeout.ms ({_messageTimeout.TotalSeconds:0} s)")
                        : error);
                }

                continue;
            }

            try
            {
                // Woken by the next delivery; the cap covers a delivery that happened before we started waiting.
                await room.WaitAsync(WaitCap).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                CancelWaiting();
            }
        }
    }

    private void RemoveFirst()
    {
        lock (_entries)
        {
            _entries.RemoveFirst();
            Volatile.Write(ref _count, _count - 1);
        }
    }

    /// <summary>While the queue stays full, cancelled messages leave the line at once instead of at their turn.</summary>
    private void CancelWaiting()
    {
        List<Entry>? cancelled = null;
        lock (_entries)
        {
            for (var node = _entries.First?.Next; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Cancellation.IsCancellationRequested)
                {
                    (cancelled ??= []).Add(node.Value);
                    _entries.Remove(node);
                    Volatile.Write(ref _count, _count - 1);
                }

                node = next;
            }
        }

        cancelled?.ForEach(e => e.Pending.Cancel(e.Cancellation));
    }

    private sealed record Entry(string Topic, SerializedRecord Record, IPendingDelivery Pending, CancellationToken Cancellation, long Deadline);
}
