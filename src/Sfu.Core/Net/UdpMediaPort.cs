using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;

namespace Sfu.Core.Net;

/// <summary>
/// The one UDP socket every peer's ICE, DTLS, SRTP and SRTCP share, and its single receive
/// loop. The loop runs on a dedicated thread that blocks in <c>recvfrom</c>: a datagram that is
/// already queued costs one system call and no hand-off, where an awaited receive costs an
/// epoll wake-up and a thread-pool dispatch per datagram (measured as about a third of the
/// server's CPU under load). It reuses one buffer and one <see cref="SocketAddress"/> and hands
/// the datagram to the handler; nothing a datagram contains can end the loop.
/// </summary>
public sealed partial class UdpMediaPort : IDatagramPort
{
    /// <summary>Larger than any datagram a WebRTC peer sends (path MTU ~1500).</summary>
    public const int ReceiveBufferSize = 2048;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly LinuxDatagramBatch? _batch;
    private readonly MediaCounters? _counters;
    private Thread? _loop;
    private int _loopThreadId;
    private volatile bool _stopping;
    private long _receiveErrors;

    /// <param name="counters">Where datagrams the kernel refuses to send are counted (<see cref="DropReason.SendFailed"/>).</param>
    public UdpMediaPort(IPEndPoint bindEndPoint, ILogger logger, MediaCounters? counters = null)
    {
        ArgumentNullException.ThrowIfNull(bindEndPoint);
        _logger = logger;
        _counters = counters;
        _socket = new Socket(bindEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // A busy room bursts faster than one loop turn; let the kernel queue absorb it.
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(bindEndPoint);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _batch = LinuxDatagramBatch.TryCreate();
    }

    public IPEndPoint LocalEndPoint { get; }

    public bool IsReceiving => _loop is { IsAlive: true } && !_stopping;

    /// <summary>Whether the receive thread still runs (after disposal it must not).</summary>
    internal bool ReceiveThreadAlive => _loop is { IsAlive: true };

    /// <summary>Datagram receive errors the loop survived (ICMP-induced resets and the like).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>True when sends from the receive thread leave in batches (Linux, 64-bit).</summary>
    public bool BatchesSends => _batch is not null;

    public void Start(IDatagramHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_loop is not null)
        {
            throw new InvalidOperationException("The receive loop is already running.");
        }

        _loop = new Thread(() => ReceiveLoop(handler))
        {
            IsBackground = true,
            Name = "sfu-media-receive",
        };
        _loopThreadId = _loop.ManagedThreadId;
        _loop.Start();
    }

    /// <summary>
    /// Sends one datagram. Thread-safe; never throws for a network error. On the receive thread
    /// the datagram is queued and leaves with the others that the same received datagram
    /// caused, when its handling ends (see <see cref="LinuxDatagramBatch"/>); true then means
    /// queued.
    /// </summary>
    public bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        if (_batch is not null && Environment.CurrentManagedThreadId == _loopThreadId)
        {
            if (_batch.TryAdd(datagram, destination))
            {
                return true;
            }

            // Full, or too large for a slot: what is queued goes first, so order is kept.
            FlushBatch();
            if (_batch.TryAdd(datagram, destination))
            {
                return true;
            }
        }

        return SendNow(datagram, destination);
    }

    private bool SendNow(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, destination);
            return true;
        }
        catch (SocketException)
        {
            _counters?.Dropped(DropReason.SendFailed);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private void FlushBatch()
    {
        if (_batch is { Count: > 0 } batch && !_stopping)
        {
            try
            {
                int refused = batch.Flush(_socket.SafeHandle);
                for (int i = 0; i < refused; i++)
                {
                    _counters?.Dropped(DropReason.SendFailed);
                }
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private void ReceiveLoop(IDatagramHandler handler)
    {
        byte[] buffer = GC.AllocateArray<byte>(ReceiveBufferSize, pinned: true);
        var source = new SocketAddress(_socket.AddressFamily);
        while (!_stopping)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, source);
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                if (_stopping)
                {
                    break;
                }

                // ICMP port-unreachable from a departed peer surfaces here on some platforms.
                Interlocked.Increment(ref _receiveErrors);
                LogReceiveError(_logger, e.SocketErrorCode);
                continue;
            }

            try
            {
                handler.OnDatagram(buffer.AsSpan(0, length), source);
            }
#pragma warning disable CA1031 // The loop serves every peer: a bug in one packet's handling must not stop it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _receiveErrors);
                LogHandlerFault(_logger, e);
            }

            FlushBatch();
            try
            {
                handler.OnSent();
            }
#pragma warning disable CA1031 // As above: the loop outlives any handler fault.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogHandlerFault(_logger, e);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        // Closing the socket wakes the thread blocked in recvfrom (the runtime shuts the
        // socket down before it closes a handle that has a blocking call in flight).
        _socket.Dispose();
        if (_loop is { } loop && loop != Thread.CurrentThread && !loop.Join(TimeSpan.FromSeconds(5)))
        {
            LogReceiveLoopStuck(_logger);
        }
        else
        {
            _batch?.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Media port receive error {Error}")]
    private static partial void LogReceiveError(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Datagram handler faulted; the receive loop continues")]
    private static partial void LogHandlerFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "The media receive thread did not stop within 5 s of closing the socket")]
    private static partial void LogReceiveLoopStuck(ILogger logger);
}
