using System.Collections.Concurrent;
using System.Net;
using Sfu.Core.Net;

namespace Sfu.Testing;

/// <summary>
/// A datagram port that is not a socket: the engine runs its real packet path, but datagrams
/// come from <see cref="Deliver"/> on the caller's thread (one at a time, as the receive loop
/// would hand them over) and what the engine sends goes to the <see cref="EnginePeer"/> whose
/// address it names. Sends made while a delivered datagram is handled are copied into one
/// fixed slot, as the real port copies them into its batch, so the copy is still paid for;
/// only the system calls are missing.
/// </summary>
public sealed class MemoryDatagramPort : IDatagramPort
{
    private readonly ConcurrentDictionary<SocketAddress, EnginePeer> _peers = new();
    private readonly ConcurrentQueue<(byte[] Datagram, SocketAddress Source)> _pending = new();
    private readonly byte[] _slot = new byte[UdpMediaPort.ReceiveBufferSize + 64];
    private IDatagramHandler? _handler;
    private long _sentDatagrams;
    private long _sentBytes;

    public IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 50_000);

    public bool IsReceiving => _handler is not null;

    /// <summary>Datagrams the engine sent.</summary>
    public long SentDatagrams => Volatile.Read(ref _sentDatagrams);

    /// <summary>Bytes the engine sent.</summary>
    public long SentBytes => Volatile.Read(ref _sentBytes);

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
        if (datagram.Length > _slot.Length)
        {
            return false;
        }

        datagram.CopyTo(_slot);
        Interlocked.Increment(ref _sentDatagrams);
        Interlocked.Add(ref _sentBytes, datagram.Length);
        if (_peers.TryGetValue(destination, out EnginePeer? peer))
        {
            peer.OnDatagram(datagram);
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _handler = null;
        return ValueTask.CompletedTask;
    }
}
