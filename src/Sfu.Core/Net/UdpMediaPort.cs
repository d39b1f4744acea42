using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;

namespace Sfu.Core.Net;

/// <summary>
/// The one UDP port every peer's ICE, DTLS, SRTP and SRTCP share, received by one or more media
/// threads. Each thread blocks on a socket of its own: a datagram that is already queued costs
/// no hand-off, where an awaited receive costs an epoll wake-up and a thread-pool dispatch per
/// datagram (measured as about a third of the server's CPU under load). On Linux a thread
/// waits in <c>recvmmsg(2)</c> with <c>MSG_WAITFORONE</c>: it wakes for the first datagram and
/// takes up to <c>receiveBatch</c> queued behind it in the same call, so with many publishers
/// one system call brings several datagrams, and with one it costs what <c>recvfrom</c> does.
/// Elsewhere, with a batch of 1, or where the kernel lacks the call, it blocks in
/// <c>recvfrom</c>. Either way it reuses its buffers and one <see cref="SocketAddress"/> and
/// hands each datagram to the handler in turn (<see cref="Handle"/>); nothing a datagram
/// contains can end a loop.
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

    /// <summary>Datagrams one <c>recvmmsg</c> takes at most, unless told otherwise (as many as a send batch holds).</summary>
    public const int DefaultReceiveBatch = LinuxDatagramBatch.Capacity;

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
    /// <param name="receiveBatch">Datagrams a thread takes in one <c>recvmmsg</c> at most; 1 receives with <c>recvfrom</c>.</param>
    public UdpMediaPort(IPEndPoint bindEndPoint, ILogger logger, MediaCounters? counters = null, int threads = 1, int receiveBatch = DefaultReceiveBatch)
    {
        ArgumentNullException.ThrowIfNull(bindEndPoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(receiveBatch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(receiveBatch, LinuxDatagramReceiver.MaxCapacity);
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
                _loops[i] = new ReceiveLoop(this, socket, LinuxDatagramBatch.TryCreate())
                {
                    Receiver = receiveBatch > 1 ? LinuxDatagramReceiver.TryCreate(receiveBatch) : null,
                };
            }
        }
        catch
        {
            foreach (ReceiveLoop? loop in _loops)
            {
                loop?.Socket.Dispose();
                loop?.Batch?.Dispose();
                loop?.Receiver?.Dispose();
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

    /// <summary>
    /// Each media thread's load in its last complete window (<see cref="MediaThreadLoad"/>,
    /// percent of one core), by thread name. For metrics: allocates.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, int>> ThreadLoads
        => [.. _loops.Select(l => new KeyValuePair<string, int>(l.Thread?.Name ?? string.Empty, Volatile.Read(ref l.Load)))];

    public bool IsReceiving => !_stopping && _loops.All(l => l.Thread is { IsAlive: true });

    /// <summary>Whether a receive thread still runs (after disposal none may).</summary>
    internal bool ReceiveThreadAlive => _loops.Any(l => l.Thread is { IsAlive: true });

    /// <summary>Datagram receive errors the loops survived (ICMP-induced resets and the like).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>True when sends from a receive thread leave in batches (Linux, 64-bit).</summary>
    public bool BatchesSends => _loops[0].Batch is not null;

    /// <summary>True while the receive threads take datagrams in batches (<c>recvmmsg</c>), false when they use <c>recvfrom</c>.</summary>
    public bool BatchesReceives => _loops.All(l => l.Receiver is not null);

    /// <summary>Receive system calls that brought datagrams, over all threads (each thread counts its own; read after it stops, or as an estimate).</summary>
    internal long ReceiveCalls => _loops.Sum(l => Volatile.Read(ref l.Calls));

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
                Name = $"{MediaThreadLoad.ThreadNamePrefix}rx-{i}",
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
        var source = new SocketAddress(loop.Socket.AddressFamily);
        if (loop.Receiver is { } receiver)
        {
            ReceiveBatches(loop, receiver, handler, source);
        }

        if (loop.Receiver is null)
        {
            ReceiveOneByOne(loop, handler, source);
        }
    }

    /// <summary>
    /// Waits in <c>recvmmsg</c> for the first datagram and takes those queued behind it. Returns
    /// when the port stops, or after giving the receiver up where the kernel cannot serve it
    /// (then the loop goes on with <c>recvfrom</c>).
    /// </summary>
    private void ReceiveBatches(ReceiveLoop loop, LinuxDatagramReceiver receiver, IDatagramHandler handler, SocketAddress source)
    {
        SafeSocketHandle socket = loop.Socket.SafeHandle;
        while (!_stopping)
        {
            int received;
            MediaThreadLoad.WaitStarts(Stopwatch.GetTimestamp());
            try
            {
                received = receiver.Receive(socket, wait: true);
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            finally
            {
                MediaThreadLoad.WaitEnds(Stopwatch.GetTimestamp());
                loop.Load = MediaThreadLoad.Percent;
            }

            // Closing the socket shuts it down first, which wakes the call (with nothing, or an
            // error); nothing that arrives after that is handled.
            if (_stopping)
            {
                break;
            }

            if (received < 0)
            {
                int error = -received;
                if (error is LinuxDatagramReceiver.ENOSYS or LinuxDatagramReceiver.EAGAIN)
                {
                    // No recvmmsg in this kernel (or seccomp hides it), or a socket that does not
                    // block: recvfrom serves both. Decided on the first call, not per datagram.
                    LogReceiveFallback(_logger, error);
                    loop.Receiver = null;
                    receiver.Dispose();
                    return;
                }

                if (error != LinuxDatagramReceiver.EINTR && CountReceiveError())
                {
                    LogReceiveErrno(_logger, error, ReceiveErrors);
                }

                continue;
            }

            loop.Calls++;
            // A datagram longer than a slot arrives as its first ReceiveBufferSize bytes, as from
            // recvfrom; no peer sends one, and it fails the handler's checks like any garbage.
            for (int i = 0; i < received && !_stopping; i++)
            {
                receiver.CopySource(i, source);
                Handle(loop, handler, receiver.Datagram(i), source);
            }
        }
    }

    private void ReceiveOneByOne(ReceiveLoop loop, IDatagramHandler handler, SocketAddress source)
    {
        Socket socket = loop.Socket;
        byte[] buffer = GC.AllocateArray<byte>(ReceiveBufferSize, pinned: true);
        while (!_stopping)
        {
            int length;
            MediaThreadLoad.WaitStarts(Stopwatch.GetTimestamp());
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
                if (CountReceiveError())
                {
                    LogReceiveError(_logger, e.SocketErrorCode, ReceiveErrors);
                }

                continue;
            }
            finally
            {
                MediaThreadLoad.WaitEnds(Stopwatch.GetTimestamp());
                loop.Load = MediaThreadLoad.Percent;
            }

            loop.Calls++;
            Handle(loop, handler, buffer.AsSpan(0, length), source);
        }
    }

    /// <summary>
    /// One datagram, whichever way it was received: the handler, then the sends its handling
    /// queued, then the handler's word on them. Allocates nothing; survives any handler fault.
    /// </summary>
    private void Handle(ReceiveLoop loop, IDatagramHandler handler, Span<byte> datagram, SocketAddress source)
    {
        try
        {
            handler.OnDatagram(datagram, source);
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

    /// <summary>Counts an error the loop survived; true for the first and then every thousandth, the ones logged (a flood of errors must not flood the log).</summary>
    private bool CountReceiveError() => Interlocked.Increment(ref _receiveErrors) % 1000 == 1;

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
                loop.Receiver?.Dispose();
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

    /// <summary>One media thread: its socket, its send batch and its receive slots (only it touches them).</summary>
    private sealed class ReceiveLoop(UdpMediaPort owner, Socket socket, LinuxDatagramBatch? batch)
    {
        /// <summary>Receive system calls that brought datagrams (written by the loop's thread only).</summary>
        public long Calls;

        /// <summary>The loop thread's <see cref="MediaThreadLoad.Percent"/>, copied after each receive call for readers on other threads.</summary>
        public int Load;

        /// <summary>The loop's <c>recvmmsg</c> slots; null when it receives with <c>recvfrom</c>.</summary>
        public LinuxDatagramReceiver? Receiver { get; set; }

        public UdpMediaPort Owner { get; } = owner;

        public Socket Socket { get; } = socket;

        public LinuxDatagramBatch? Batch { get; } = batch;

        public Thread? Thread { get; set; }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Media port receive error {Error} ({Count} so far, one in a thousand logged)")]
    private static partial void LogReceiveError(ILogger logger, SocketError error, long count);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Datagram handler faulted; the receive loop continues")]
    private static partial void LogHandlerFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "A media receive thread did not stop within 5 s of closing its socket")]
    private static partial void LogReceiveLoopStuck(ILogger logger);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "{Threads} media threads asked for, but sockets cannot share a port here: one thread receives")]
    private static partial void LogNoReusePort(ILogger logger, int threads);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "recvmmsg failed with errno {Errno}: this media thread receives with recvfrom")]
    private static partial void LogReceiveFallback(ILogger logger, int errno);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "Media port recvmmsg error, errno {Errno} ({Count} so far, one in a thousand logged)")]
    private static partial void LogReceiveErrno(ILogger logger, int errno, long count);
}
