using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Sfu.Core.Diagnostics;
using Sfu.Core.Dtls;
using Sfu.Core.Net;
using Sfu.Core.Srtp;

namespace Sfu.Core.Relay;

/// <summary>
/// This node's one UDP socket for media between nodes, apart from the participants' media
/// port so a peer node is never mistaken for a participant. Each peer node has one
/// <see cref="RelayLink"/>, found by the source address of what arrives (pion's udp_mux
/// pattern, without the STUN fallback: a relay peer's address is known in advance).
/// </summary>
public sealed class RelayPort : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread _receiver;
    private readonly ISendBatching? _fanOutSends;
    private readonly Action<Exception>? _onFault;
    private long _faults;
    private readonly Lock _gate = new();
    private ImmutableDictionary<SocketAddress, RelayLink> _byAddress = ImmutableDictionary<SocketAddress, RelayLink>.Empty;
    private volatile bool _disposed;

    /// <summary>Binds a port on <paramref name="address"/> (port 0: any free one) and starts receiving.</summary>
    /// <param name="fanOutSends">
    /// Where the sends a relayed packet causes (one per local subscriber) go: the receive thread
    /// batches them there and flushes after each datagram, so a fan-out leaves in one
    /// <c>sendmmsg</c> as it does from a media thread, not one <c>sendto</c> per copy.
    /// </param>
    /// <param name="onFault">
    /// Told of an exception a datagram's handling threw (a fault of ours, never the peer's
    /// input, which is dropped and counted); the receive loop goes on with the next datagram.
    /// </param>
    public RelayPort(IPAddress address, int port, DtlsCertificate certificate, ISendBatching? fanOutSends = null, Action<Exception>? onFault = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(certificate);
        Certificate = certificate;
        _fanOutSends = fanOutSends;
        _onFault = onFault;
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(new IPEndPoint(address, port));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "sfu-relay-rx" };
        _receiver.Start();
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Datagrams whose handling threw; the loop outlived each one.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    public DtlsCertificate Certificate { get; }

    /// <summary>The links to peer nodes, as of now.</summary>
    public IReadOnlyCollection<RelayLink> Links => _byAddress.Values.ToArray();

    /// <summary>What each link has carried so far: the meter's view of the relay.</summary>
    public IReadOnlyList<RelayPeerTotals> Totals() =>
        [.. _byAddress.Values.Select(l => new RelayPeerTotals(l.PeerNodeId, l.PacketsSent, l.PacketsReceived, l.BytesSent, l.BytesReceived))];

    /// <summary>The DTLS role this node takes toward <paramref name="peerNodeId"/>: client when its id sorts lower.</summary>
    public static DtlsRole RoleToward(string localNodeId, string peerNodeId) =>
        string.CompareOrdinal(localNodeId, peerNodeId) < 0 ? DtlsRole.Client : DtlsRole.Server;

    /// <summary>
    /// Creates the link to a peer node at <paramref name="remote"/> whose certificate has
    /// <paramref name="remoteFingerprint"/>; call <see cref="RelayLink.ConnectAsync"/> on it next.
    /// A link that already exists for that address is replaced (the peer restarted).
    /// </summary>
    public RelayLink Open(string localNodeId, string peerNodeId, IPEndPoint remote, DtlsFingerprint remoteFingerprint, IRelaySink sink)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var link = new RelayLink(this, peerNodeId, remote, remoteFingerprint, RoleToward(localNodeId, peerNodeId), sink);
        RelayLink? replaced;
        lock (_gate)
        {
            _ = _byAddress.TryGetValue(link.RemoteAddress, out replaced);
            _byAddress = _byAddress.SetItem(link.RemoteAddress, link);
        }

        replaced?.Dispose();
        return link;
    }

    internal void Forget(RelayLink link)
    {
        lock (_gate)
        {
            if (_byAddress.TryGetValue(link.RemoteAddress, out RelayLink? current) && ReferenceEquals(current, link))
            {
                _byAddress = _byAddress.Remove(link.RemoteAddress);
            }
        }
    }

    internal bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress remote)
    {
        try
        {
            return _socket.SendTo(datagram, SocketFlags.None, remote) == datagram.Length;
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

    private void ReceiveLoop()
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(UdpMediaPort.ReceiveBufferSize + SrtpContext.MaxRtpOverhead, pinned: true);
        var source = new SocketAddress(_socket.AddressFamily);
        IDisposable? batching = null;
        try
        {
            Receive(buffer, source, ref batching);
        }
        finally
        {
            batching?.Dispose();
        }
    }

    private void Receive(byte[] buffer, SocketAddress source, ref IDisposable? batching)
    {
        while (!_disposed)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer.AsSpan(0, UdpMediaPort.ReceiveBufferSize), SocketFlags.None, source);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }
            catch (SocketException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            // Only a known peer's address reaches DTLS or SRTP; anything else is dropped unread.
            if (received > 0 && _byAddress.TryGetValue(source, out RelayLink? link))
            {
                // The media port exists once the engine has started: ask until it gives a batch.
                batching ??= _fanOutSends?.BatchSendsOnThisThread();
                try
                {
                    link.OnDatagram(buffer.AsSpan(0, received));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // One bad datagram must not end the relay for every room on this node.
                    Interlocked.Increment(ref _faults);
                    _onFault?.Invoke(e);
                }

                _fanOutSends?.FlushSends();
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (RelayLink link in _byAddress.Values)
        {
            link.Dispose();
        }

        _socket.Dispose();
    }
}
