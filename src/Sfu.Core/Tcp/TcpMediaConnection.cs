using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;

namespace Sfu.Core.Tcp;

/// <summary>
/// One passive ICE-TCP connection (RFC 6544): a browser's active TCP candidate connected to
/// our listener. Its read loop cuts the stream into datagrams (RFC 4571) and hands them to the
/// handler; as an <see cref="IDatagramPath"/> it queues what the server sends and a writer
/// drains the queue, so no sender ever blocks on a slow peer. Datagrams to a TCP peer are not
/// batched with <c>sendmmsg</c>: the writer coalesces whatever is queued into one send.
/// </summary>
#pragma warning disable CA1001 // The token source and semaphore are not disposed on purpose (see RunAsync); Close releases the socket.
public sealed partial class TcpMediaConnection : IDatagramPath
#pragma warning restore CA1001
{
    /// <summary>What one write gathers from the queue.</summary>
    private const int WriteChunkSize = 16 * 1024;

    private readonly Socket _socket;
    private readonly TcpMediaLimits _limits;
    private readonly MediaCounters _counters;
    private readonly ILogger _logger;
    private readonly TcpSendBuffer _queue;
    private readonly CancellationTokenSource _closing = new();
    private readonly SemaphoreSlim _pending = new(0, 1);
    private int _signalled;
    private int _closed;
    private volatile bool _authenticated;

    internal TcpMediaConnection(Socket socket, TcpMediaLimits limits, MediaCounters counters, ILogger logger, long acceptedAt)
    {
        _socket = socket;
        _limits = limits;
        _counters = counters;
        _logger = logger;
        _queue = new TcpSendBuffer(limits.MaxQueuedBytes);
        AcceptedAt = acceptedAt;
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        RemoteEndPoint = remote;
        RemoteAddress = remote.Serialize();
    }

    public TransportProtocol Protocol => TransportProtocol.Tcp;

    /// <summary>The peer's address and port, as its ICE checks are answered (XOR-MAPPED-ADDRESS).</summary>
    public SocketAddress RemoteAddress { get; }

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the connection was accepted.</summary>
    public long AcceptedAt { get; }

    /// <summary>True once a valid ICE check arrived on it; until then it is on a timer.</summary>
    public bool IsAuthenticated => _authenticated;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Framed bytes waiting to be sent.</summary>
    public int QueuedBytes => _queue.Bytes;

    /// <summary>A valid ICE check arrived: the connection belongs to a session now.</summary>
    public void MarkAuthenticated() => _authenticated = true;

    /// <summary>
    /// Queues one datagram for the peer; <paramref name="destination"/> is the connection's own
    /// peer and not consulted. Thread-safe, never blocks: when the queue is full the oldest video
    /// goes first (counted as <see cref="DropReason.SendQueueFull"/>).
    /// </summary>
    public bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination, DatagramPriority priority)
    {
        if (IsClosed)
        {
            return false;
        }

        bool queued = _queue.Enqueue(datagram, priority, out int dropped);
        for (int i = 0; i < dropped; i++)
        {
            _counters.Dropped(DropReason.SendQueueFull);
        }

        if (queued && Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _pending.Release();
        }

        return queued;
    }

    /// <summary>Runs the read and write loops until the connection closes; then tells the handler.</summary>
    internal async Task RunAsync(ITcpFrameHandler handler)
    {
        Task writer = WriteLoopAsync();
        try
        {
            await ReadLoopAsync(handler).ConfigureAwait(false);
        }
        finally
        {
            Close();
            await writer.ConfigureAwait(false);
            // The token source and semaphore are left to the collector, not disposed: a sender
            // on another thread may still signal a connection that has just closed.
            _queue.Clear();
            handler.OnClosed(this);
        }
    }

    private async Task ReadLoopAsync(ITcpFrameHandler handler)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(2 * (TcpFrameReader.HeaderLength + _limits.MaxFrameLength));
        try
        {
            var reader = new TcpFrameReader(buffer, _limits.MaxFrameLength);
            CancellationToken token = _closing.Token;
            while (!token.IsCancellationRequested)
            {
                int received = await _socket.ReceiveAsync(reader.GetWritable(), SocketFlags.None, token).ConfigureAwait(false);
                if (received == 0)
                {
                    return;
                }

                reader.Advance(received);
                if (!DeliverFrames(reader, handler))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or we closed the connection: nothing to report.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hands every whole frame received so far to the handler; false when the stream is unusable.</summary>
    private bool DeliverFrames(TcpFrameReader reader, ITcpFrameHandler handler)
    {
        while (true)
        {
            TcpFrameResult result = reader.TryRead(out Span<byte> frame);
            switch (result)
            {
                case TcpFrameResult.Frame:
                    try
                    {
                        handler.OnFrame(frame, this);
                    }
#pragma warning disable CA1031 // As on the UDP loop: a bug in one datagram's handling must not end the connection's loop.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        LogHandlerFault(_logger, e);
                    }

                    if (IsClosed)
                    {
                        return false;
                    }

                    continue;
                case TcpFrameResult.NeedMore:
                    return true;
                default:
                    _counters.Dropped(DropReason.BadFrameLength);
                    LogBadFrame(_logger, RemoteEndPoint, result);
                    return false;
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        CancellationToken token = _closing.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                await _pending.WaitAsync(token).ConfigureAwait(false);
                Volatile.Write(ref _signalled, 0);
                byte[] chunk = ArrayPool<byte>.Shared.Rent(WriteChunkSize);
                try
                {
                    int length;
                    while ((length = _queue.Drain(chunk)) > 0)
                    {
                        // A stalled peer blocks only this writer; senders keep queuing and the
                        // queue drops what does not fit.
                        int sent = 0;
                        while (sent < length)
                        {
                            sent += await _socket.SendAsync(chunk.AsMemory(sent, length - sent), SocketFlags.None, token).ConfigureAwait(false);
                        }
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Close();
        }
    }

    /// <summary>Closes the connection; its loops end and the handler hears of it once.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Error, Message = "ICE-TCP frame handler faulted; the connection continues")]
    private static partial void LogHandlerFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "ICE-TCP connection from {Remote} closed: {Result}")]
    private static partial void LogBadFrame(ILogger logger, IPEndPoint remote, TcpFrameResult result);
}
