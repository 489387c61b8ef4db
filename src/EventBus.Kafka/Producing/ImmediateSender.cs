using Confluent.Kafka;

namespace EventBus.Kafka.Producing;

/// <summary>
/// Sends queued messages without waiting for linger.ms while at least one synchronous publish is waiting for its
/// acknowledgement: one background thread keeps librdkafka flushing (flush() makes the broker threads treat
/// linger.ms as elapsed) for as long as there are waiters, then parks. Batching resumes when the last waiter leaves.
/// </summary>
/// <remarks>
/// A synchronous caller cannot fill a batch, so lingering only adds latency to it. The caller itself cannot flush:
/// flush() returns when every queued message is delivered (and learns of delivery reports served by the client's
/// poll thread only at its 10 ms poll tick), so the caller waits on its own message while this thread flushes.
/// </remarks>
internal sealed class ImmediateSender : IDisposable
{
    private static readonly TimeSpan FlushSlice = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan IdleSlice = TimeSpan.FromMilliseconds(1);
    private readonly Func<IProducer<IPendingDelivery, byte[]?>> _producer;
    private readonly string _name;
    private readonly ManualResetEventSlim _signal = new(false);
    private readonly object _startGate = new();
    private Thread? _thread;
    private int _waiters;
    private volatile bool _sending;
    private volatile bool _stopped;

    /// <summary>Initializes a new instance of the <see cref="ImmediateSender"/> class.</summary>
    /// <param name="producer">Returns the producer in use (it changes when a fatal error rebuilds it).</param>
    /// <param name="name">The thread name.</param>
    public ImmediateSender(Func<IProducer<IPendingDelivery, byte[]?>> producer, string name)
    {
        _producer = producer;
        _name = name;
    }

    /// <summary>Gets a value indicating whether messages are being sent at once (waiters present, or the thread not yet parked).</summary>
    public bool IsSending => _sending || Volatile.Read(ref _waiters) > 0;

    /// <summary>Registers a waiter (its message already produced): from now on queued messages go out at once.</summary>
    public void Enter()
    {
        Interlocked.Increment(ref _waiters);
        EnsureStarted();
        _signal.Set();
    }

    /// <summary>Unregisters a waiter.</summary>
    public void Exit() => Interlocked.Decrement(ref _waiters);

    /// <summary>Stops the thread (it returns within one flush slice).</summary>
    public void Dispose()
    {
        _stopped = true;
        _signal.Set();
        Thread? thread;
        lock (_startGate)
        {
            thread = _thread;
        }

        if (thread is null || (thread != Thread.CurrentThread && thread.Join(TimeSpan.FromSeconds(1))))
        {
            _signal.Dispose();
        }

        // Otherwise the thread may still be inside a flush: the event is left to the GC rather than disposed under it.
    }

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _thread) is not null)
        {
            return;
        }

        lock (_startGate)
        {
            if (_thread is null && !_stopped)
            {
                var thread = new Thread(Run) { IsBackground = true, Name = _name };
                thread.Start();
                Volatile.Write(ref _thread, thread);
            }
        }
    }

    private void Run()
    {
        while (!_stopped)
        {
            _sending = false;
            _signal.Wait();
            _signal.Reset();
            _sending = true;
            while (!_stopped && Volatile.Read(ref _waiters) > 0)
            {
                int queued;
                try
                {
                    queued = _producer().Flush(FlushSlice);
                }
                catch (ObjectDisposedException)
                {
                    queued = 0; // closing or rebuilding: the next round uses the current producer, or stops
                }
                catch (KafkaException)
                {
                    queued = 0;
                }

                if (queued == 0)
                {
                    // Everything is delivered; the waiters are about to leave. Park briefly instead of spinning,
                    // woken at once by the next Enter.
                    _signal.Wait(IdleSlice);
                    _signal.Reset();
                }
            }
        }
    }
}
