using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;

namespace Sfu.Core.Tcp;

/// <summary>
/// The passive side of ICE-TCP (RFC 6544 §4): one listening socket whose port we announce in
/// a <c>tcptype passive</c> host candidate. Each accepted connection gets its own read loop
/// (<see cref="TcpMediaConnection"/>); the listener enforces the limits of
/// <see cref="TcpMediaLimits"/>: connections per source address, connections not yet
/// authenticated, and how long one may stay so.
/// </summary>
public sealed partial class TcpMediaListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly TcpMediaLimits _limits;
    private readonly MediaCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<TcpMediaConnection, byte> _connections = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;
    private Task _sweeping = Task.CompletedTask;
    private long _refused;
    private long _timedOut;

    public TcpMediaListener(IPEndPoint bindEndPoint, TcpMediaLimits limits, MediaCounters counters, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(bindEndPoint);
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
        _counters = counters;
        _time = time;
        _logger = logger;
        _socket = new Socket(bindEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(bindEndPoint);
        _socket.Listen(512);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Open connections.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Open connections that have authenticated with a valid ICE check.</summary>
    public int AuthenticatedCount => _connections.Keys.Count(c => c.IsAuthenticated);

    /// <summary>Connections refused at accept: over the per-address or unauthenticated limit.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);

    /// <summary>Connections closed for sending no valid ICE check in time.</summary>
    public long TimedOutConnections => Interlocked.Read(ref _timedOut);

    public void Start(ITcpFrameHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _accepting = AcceptLoopAsync(handler, _stop.Token);
        _sweeping = SweepLoopAsync(_stop.Token);
    }

    private async Task AcceptLoopAsync(ITcpFrameHandler handler, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // A connection reset before we took it, or the process is out of descriptors:
                // the listener goes on either way.
                LogAcceptError(_logger, e.SocketErrorCode);
                continue;
            }

            Admit(accepted, handler);
        }
    }

    private void Admit(Socket accepted, ITcpFrameHandler handler)
    {
        if (accepted.RemoteEndPoint is not IPEndPoint remote || !TryReserve(remote.Address))
        {
            Interlocked.Increment(ref _refused);
            LogRefused(_logger, accepted.RemoteEndPoint);
            accepted.Dispose();
            return;
        }

        // Media is small and latency-bound: no Nagle delay (RFC 6544 §3 leaves it to us).
        accepted.NoDelay = true;
        var connection = new TcpMediaConnection(accepted, _limits, _counters, _logger, _time.GetTimestamp());
        _connections[connection] = 0;
        _ = RunAsync(connection, remote.Address, handler);
    }

    private async Task RunAsync(TcpMediaConnection connection, IPAddress address, ITcpFrameHandler handler)
    {
        // Off the accept loop: the connection's first read must not delay the next accept.
        await Task.Yield();
        try
        {
            await connection.RunAsync(handler).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            Release(address);
        }
    }

    private bool TryReserve(IPAddress address)
    {
        int unauthenticated = _connections.Count - _connections.Keys.Count(c => c.IsAuthenticated);
        if (unauthenticated >= _limits.MaxUnauthenticated)
        {
            return false;
        }

        while (true)
        {
            int current = _perAddress.GetValueOrDefault(address);
            if (current >= _limits.MaxConnectionsPerAddress)
            {
                return false;
            }

            if (current == 0 ? _perAddress.TryAdd(address, 1) : _perAddress.TryUpdate(address, current + 1, current))
            {
                return true;
            }
        }
    }

    private void Release(IPAddress address)
    {
        while (_perAddress.TryGetValue(address, out int current))
        {
            if (current <= 1
                ? _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, current))
                : _perAddress.TryUpdate(address, current - 1, current))
            {
                return;
            }
        }
    }

    /// <summary>Closes connections that did not authenticate within the timeout, once a second.</summary>
    private async Task SweepLoopAsync(CancellationToken stop)
    {
        TimeSpan period = _limits.AuthenticationTimeout < TimeSpan.FromSeconds(2) ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1);
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                foreach (TcpMediaConnection connection in _connections.Keys)
                {
                    if (!connection.IsAuthenticated && _time.GetElapsedTime(connection.AcceptedAt) > _limits.AuthenticationTimeout)
                    {
                        Interlocked.Increment(ref _timedOut);
                        connection.Close();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _accepting.ConfigureAwait(false);
        await _sweeping.ConfigureAwait(false);
        foreach (TcpMediaConnection connection in _connections.Keys)
        {
            connection.Close();
        }

        // Each connection's loops end on their own once closed; wait for them briefly.
        long deadline = _time.GetTimestamp();
        while (!_connections.IsEmpty && _time.GetElapsedTime(deadline) < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Debug, Message = "ICE-TCP accept error {Error}")]
    private static partial void LogAcceptError(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 411, Level = LogLevel.Debug, Message = "ICE-TCP connection from {Remote} refused: over a connection limit")]
    private static partial void LogRefused(ILogger logger, EndPoint? remote);
}
