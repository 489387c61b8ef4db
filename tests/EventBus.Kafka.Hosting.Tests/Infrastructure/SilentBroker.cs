using System.Net;
using System.Net.Sockets;

namespace EventBus.Kafka.Hosting.Tests.Infrastructure;

/// <summary>
/// A loopback port that counts connections and answers nothing: configured as the bootstrap servers, it shows
/// whether any Kafka client was created (librdkafka connects to a bootstrap server as soon as a client exists).
/// </summary>
internal sealed class SilentBroker : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _accepted = [];
    private int _connections;

    public SilentBroker()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public string BootstrapServers => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Whether a client connects within <paramref name="window"/> (a bounded look, not a synchronisation).</summary>
    public async Task<bool> AnyConnectionWithinAsync(TimeSpan window)
    {
        using var timeout = new CancellationTokenSource(window);
        while (Connections == 0 && !timeout.IsCancellationRequested)
        {
            await Task.Delay(25, CancellationToken.None).ConfigureAwait(false);
        }

        return Connections > 0;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_accepted)
        {
            _accepted.ForEach(s => s.Dispose());
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _connections);
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
