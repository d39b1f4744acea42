using System.Collections.Concurrent;
using System.Net;
using Sfu.Core.Net;

namespace Sfu.Testing;

/// <summary>
/// A datagram port that is not a socket: the engine runs its real packet path, but datagrams
/// come from <see cref="Deliver"/> on the caller's thread (one at a time, as the receive loop
/// would hand them over) and what the engine sends goes to the <see cref="EnginePeer"/> whose
/// address it names. Sends made while a delivered datagram is handled are copied into a fixed
/// slot of the sending thread, as the real port copies them into its batch, so the copy is
/// still paid for; only the system calls are missing. The engine's fan-out helper threads
/// (<see cref="Sfu.Core.Routing.FanOutWorkers"/>) may send through it at the same time as the
/// delivering thread; each peer still receives from one thread at a time.
/// </summary>
public sealed class MemoryDatagramPort : IDatagramPort
{
    private readonly ConcurrentDictionary<SocketAddress, EnginePeer> _peers = new();
    private readonly ConcurrentQueue<(byte[] Datagram, SocketAddress Source)> _pending = new();
    [ThreadStatic]
    private static byte[]? t_slot;

    private IDatagramHandler? _handler;
    // Sent datagrams and bytes on 128-byte lines picked by thread id: threads that share one
    // fan-out do not contend for one counter (which would slow every copy, as the real port's
    // sends do not).
    private const int Stride = 16;
    private const int Lines = 64;
    private readonly long[] _sent = new long[Lines * Stride];

    public IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 50_000);

    public bool IsReceiving => _handler is not null;

    /// <summary>Datagrams the engine sent.</summary>
    public long SentDatagrams => Sum(0);

    /// <summary>Bytes the engine sent.</summary>
    public long SentBytes => Sum(1);

    public void Start(IDatagramHandler handler) => _handler = handler;

    public void Register(EnginePeer peer) => _peers[peer.Address] = peer;

    /// <summary>A datagram from a peer's own thread (its DTLS handshake): handed to the engine by <see cref="DeliverPending"/>.</summary>
    public void Enqueue(ReadOnlySpan<byte> datagram, SocketAddress source) => _pending.Enqueue((datagram.ToArray(), source));

    /// <summary>Hands queued datagrams to the engine on the calling thread; returns how many.</summary>
    public int DeliverPending()
    {
        int delivered = 0;
        while (_pending.TryDequeue(out (byte[] Datagram, SocketAddress Source) item))
        {
            Deliver(item.Datagram, item.Source);
            delivered++;
        }

        return delivered;
    }

    /// <summary>One received datagram, handled on the calling thread as the receive loop would.</summary>
    public void Deliver(Span<byte> datagram, SocketAddress source)
    {
        IDatagramHandler handler = _handler ?? throw new InvalidOperationException("The port is not started.");
        handler.OnDatagram(datagram, source);
        handler.OnSent();
    }

    public bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        byte[] slot = t_slot ??= new byte[UdpMediaPort.ReceiveBufferSize + 64];
        if (datagram.Length > slot.Length)
        {
            return false;
        }

        datagram.CopyTo(slot);
        int line = (Environment.CurrentManagedThreadId & (Lines - 1)) * Stride;
        Interlocked.Increment(ref _sent[line]);
        Interlocked.Add(ref _sent[line + 1], datagram.Length);
        if (_peers.TryGetValue(destination, out EnginePeer? peer))
        {
            peer.OnDatagram(datagram);
        }

        return true;
    }

    private long Sum(int field)
    {
        long sum = 0;
        for (int i = 0; i < Lines; i++)
        {
            sum += Volatile.Read(ref _sent[(i * Stride) + field]);
        }

        return sum;
    }

    public ValueTask DisposeAsync()
    {
        _handler = null;
        return ValueTask.CompletedTask;
    }
}
