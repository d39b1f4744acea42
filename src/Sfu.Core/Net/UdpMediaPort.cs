using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;

namespace Sfu.Core.Net;

/// <summary>
/// The one UDP port every peer's ICE, DTLS, SRTP and SRTCP share, received by one or more media
/// threads. Each thread blocks in <c>recvfrom</c> on a socket of its own: a datagram that is
/// already queued costs one system call and no hand-off, where an awaited receive costs an
/// epoll wake-up and a thread-pool dispatch per datagram (measured as about a third of the
/// server's CPU under load). Each reuses one buffer and one <see cref="SocketAddress"/> and
/// hands the datagram to the handler; nothing a datagram contains can end a loop.
/// </summary>
/// <remarks>
/// <para>With more than one thread the sockets share the port through <c>SO_REUSEPORT</c>
/// (Linux): the kernel picks a socket for each datagram by a hash of its 4-tuple, so one peer's
/// datagrams reach one thread in the order they came, without a dispatcher thread or a queue
/// between threads. The hash is over the group's sockets, so it would move peers if a socket
/// joined or left the group: all sockets are bound before any loop starts and closed together,
/// so the group never changes while peers are on it. A peer whose address changes (a NAT
/// rebinding) may move to another socket; the handler does not rely on affinity for
/// correctness (it serializes each peer's datagrams itself), only for cache locality.</para>
/// <para>Only processes of our own user can join a reuse-port group, and we bind every socket
/// before the first peer can be told the port. Where the option is missing (not Linux) the port
/// falls back to one socket and one thread.</para>
/// </remarks>
public sealed partial class UdpMediaPort : IDatagramPort
{
    /// <summary>Larger than any datagram a WebRTC peer sends (path MTU ~1500).</summary>
    public const int ReceiveBufferSize = 2048;

    // setsockopt(SOL_SOCKET, SO_REUSEPORT) on Linux (asm-generic/socket.h).
    private const int SolSocket = 1;
    private const int SoReusePort = 15;

    // The loop this thread runs, if it runs one: its socket and its send batch.
    [ThreadStatic]
    private static ReceiveLoop? t_loop;

    private readonly ReceiveLoop[] _loops;
    private readonly ILogger _logger;
    private readonly MediaCounters? _counters;
    private int _started;
    private volatile bool _stopping;
    private long _receiveErrors;

    /// <param name="counters">Where datagrams the kernel refuses to send are counted (<see cref="DropReason.SendFailed"/>).</param>
    /// <param name="threads">Receive threads, each on its own socket of the port (see remarks).</param>
    public UdpMediaPort(IPEndPoint bindEndPoint, ILogger logger, MediaCounters? counters = null, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(bindEndPoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _logger = logger;
        _counters = counters;
        if (threads > 1 && !SharesPort)
        {
            LogNoReusePort(logger, threads);
            threads = 1;
        }

        _loops = new ReceiveLoop[threads];
        IPEndPoint endPoint = bindEndPoint;
        try
        {
            for (int i = 0; i < threads; i++)
            {
                // The first socket may take an ephemeral port; the others join it there.
                Socket socket = Bind(endPoint, shared: threads > 1);
                endPoint = (IPEndPoint)socket.LocalEndPoint!;
                _loops[i] = new ReceiveLoop(this, socket, LinuxDatagramBatch.TryCreate());
            }
        }
        catch
        {
            foreach (ReceiveLoop? loop in _loops)
            {
                loop?.Socket.Dispose();
                loop?.Batch?.Dispose();
            }

            throw;
        }

        LocalEndPoint = endPoint;
    }

    /// <summary>Whether several sockets can share the port here (Linux <c>SO_REUSEPORT</c>).</summary>
    public static bool SharesPort => OperatingSystem.IsLinux();

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Media threads, each with its own socket on the port.</summary>
    public int Threads => _loops.Length;

    public bool IsReceiving => !_stopping && _loops.All(l => l.Thread is { IsAlive: true });

    /// <summary>Whether a receive thread still runs (after disposal none may).</summary>
    internal bool ReceiveThreadAlive => _loops.Any(l => l.Thread is { IsAlive: true });

    /// <summary>Datagram receive errors the loops survived (ICMP-induced resets and the like).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>True when sends from a receive thread leave in batches (Linux, 64-bit).</summary>
    public bool BatchesSends => _loops[0].Batch is not null;

    private static Socket Bind(IPEndPoint endPoint, bool shared)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // A busy room bursts faster than one loop turn; let the kernel queue absorb it.
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.SendBufferSize = 4 * 1024 * 1024;
            if (shared)
            {
                // setsockopt takes a C int, in the machine's byte order.
                int on = 1;
                socket.SetRawSocketOption(SolSocket, SoReusePort, MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in on)));
            }

            socket.Bind(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Start(IDatagramHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The receive loop is already running.");
        }

        for (int i = 0; i < _loops.Length; i++)
        {
            ReceiveLoop loop = _loops[i];
            loop.Thread = new Thread(() => Receive(loop, handler))
            {
                IsBackground = true,
                // Linux shows 15 characters of a thread name: these stay apart in /proc/<pid>/task/*/comm.
                Name = $"sfu-media-rx-{i}",
            };
        }

        foreach (ReceiveLoop loop in _loops)
        {
            loop.Thread!.Start();
        }
    }

    /// <summary>
    /// Sends one datagram. Thread-safe; never throws for a network error. On a media thread the
    /// datagram is queued on that thread's socket and leaves with the others that the same
    /// received datagram caused, when its handling ends (see <see cref="LinuxDatagramBatch"/>);
    /// true then means queued. Any socket of the port sends from the same address and port, so
    /// the peer cannot tell which one did.
    /// </summary>
    public bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        ReceiveLoop? loop = t_loop;
        if (loop is null || loop.Owner != this)
        {
            return SendNow(_loops[0].Socket, datagram, destination);
        }

        if (loop.Batch is { } batch)
        {
            if (batch.TryAdd(datagram, destination))
            {
                return true;
            }

            // Full, or too large for a slot: what is queued goes first, so order is kept.
            FlushBatch(loop);
            if (batch.TryAdd(datagram, destination))
            {
                return true;
            }
        }

        return SendNow(loop.Socket, datagram, destination);
    }

    private bool SendNow(Socket socket, ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        try
        {
            socket.SendTo(datagram, SocketFlags.None, destination);
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

    /// <summary>
    /// Gives the calling thread, which does not receive on this port, a send batch on the first
    /// socket: from then on its <see cref="SendTo"/> calls queue as a media thread's do, until
    /// <see cref="FlushSends"/>. The batch is the thread's own; disposing the handle (on that
    /// thread) frees it. Null where the platform has no <c>sendmmsg</c>.
    /// </summary>
    public IDisposable? BatchSendsOnThisThread()
    {
        if (t_loop is { } existing && existing.Owner == this)
        {
            throw new InvalidOperationException("This thread already batches its sends on this port.");
        }

        LinuxDatagramBatch? batch = LinuxDatagramBatch.TryCreate();
        if (batch is null)
        {
            return null;
        }

        var loop = new ReceiveLoop(this, _loops[0].Socket, batch);
        t_loop = loop;
        return new ForeignBatch(loop);
    }

    /// <summary>Sends what the calling thread has queued since its last flush (a media thread's own batch included).</summary>
    public void FlushSends()
    {
        if (t_loop is { } loop && loop.Owner == this)
        {
            FlushBatch(loop);
        }
    }

    private void FlushBatch(ReceiveLoop loop)
    {
        if (loop.Batch is { Count: > 0 } batch && !_stopping)
        {
            try
            {
                int refused = batch.Flush(loop.Socket.SafeHandle);
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

    private void Receive(ReceiveLoop loop, IDatagramHandler handler)
    {
        t_loop = loop;
        Socket socket = loop.Socket;
        byte[] buffer = GC.AllocateArray<byte>(ReceiveBufferSize, pinned: true);
        var source = new SocketAddress(socket.AddressFamily);
        while (!_stopping)
        {
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, SocketFlags.None, source);
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

            FlushBatch(loop);
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
        // Closing a socket wakes the thread blocked in its recvfrom (the runtime shuts the
        // socket down before it closes a handle that has a blocking call in flight).
        foreach (ReceiveLoop loop in _loops)
        {
            loop.Socket.Dispose();
        }

        foreach (ReceiveLoop loop in _loops)
        {
            if (loop.Thread is { } thread && thread != Thread.CurrentThread && !thread.Join(TimeSpan.FromSeconds(5)))
            {
                LogReceiveLoopStuck(_logger);
            }
            else
            {
                loop.Batch?.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The send batch of a thread outside the port (<see cref="BatchSendsOnThisThread"/>): flushed and freed on dispose.</summary>
    private sealed class ForeignBatch(ReceiveLoop loop) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop.Owner.FlushBatch(loop);
            if (t_loop == loop)
            {
                t_loop = null;
            }

            loop.Batch?.Dispose();
        }
    }

    /// <summary>One media thread: its socket, its send batch (only it touches either's queue).</summary>
    private sealed class ReceiveLoop(UdpMediaPort owner, Socket socket, LinuxDatagramBatch? batch)
    {
        public UdpMediaPort Owner { get; } = owner;

        public Socket Socket { get; } = socket;

        public LinuxDatagramBatch? Batch { get; } = batch;

        public Thread? Thread { get; set; }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Media port receive error {Error}")]
    private static partial void LogReceiveError(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Datagram handler faulted; the receive loop continues")]
    private static partial void LogHandlerFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "A media receive thread did not stop within 5 s of closing its socket")]
    private static partial void LogReceiveLoopStuck(ILogger logger);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "{Threads} media threads asked for, but sockets cannot share a port here: one thread receives")]
    private static partial void LogNoReusePort(ILogger logger, int threads);
}
