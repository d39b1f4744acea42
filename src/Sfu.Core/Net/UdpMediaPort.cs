using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Sfu.Core.Net;

/// <summary>
/// The one UDP socket every peer's ICE, DTLS, SRTP and SRTCP share, and its single receive
/// loop. The loop reuses one buffer and one <see cref="SocketAddress"/>, parses synchronously
/// after each await and hands the datagram to the handler; nothing a datagram contains can end
/// the loop.
/// </summary>
public sealed partial class UdpMediaPort : IAsyncDisposable
{
    /// <summary>Larger than any datagram a WebRTC peer sends (path MTU ~1500).</summary>
    public const int ReceiveBufferSize = 2048;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _receiveErrors;

    public UdpMediaPort(IPEndPoint bindEndPoint, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(bindEndPoint);
        _logger = logger;
        _socket = new Socket(bindEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // A busy room bursts faster than one loop turn; let the kernel queue absorb it.
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(bindEndPoint);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public bool IsReceiving => !_loop.IsCompleted;

    /// <summary>Datagram receive errors the loop survived (ICMP-induced resets and the like).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    public void Start(IDatagramHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _loop = Task.Factory.StartNew(
            () => ReceiveLoopAsync(handler),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap();
    }

    /// <summary>Sends one datagram. Thread-safe; never throws for a network error.</summary>
    public bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, destination);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private async Task ReceiveLoopAsync(IDatagramHandler handler)
    {
        byte[] buffer = GC.AllocateArray<byte>(ReceiveBufferSize, pinned: true);
        Memory<byte> memory = buffer;
        var source = new SocketAddress(_socket.AddressFamily);
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveFromAsync(memory, SocketFlags.None, source, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
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
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Media port receive error {Error}")]
    private static partial void LogReceiveError(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Datagram handler faulted; the receive loop continues")]
    private static partial void LogHandlerFault(ILogger logger, Exception exception);
}
