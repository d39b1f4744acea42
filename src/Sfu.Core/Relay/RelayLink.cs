using System.Net;
using System.Net.Sockets;
using Sfu.Core.Dtls;
using Sfu.Core.Net;
using Sfu.Core.Sessions;
using Sfu.Core.Srtp;

namespace Sfu.Core.Relay;

/// <summary>
/// The one association between this node and one peer node: a DTLS-SRTP session (RFC 5764)
/// between the two nodes' relay ports, with the peer's certificate pinned by the fingerprint
/// it published in the cluster directory. There is no ICE: the two addresses are known from
/// the directory, and the pinned fingerprint is what authenticates the peer (RFC 8122 §5),
/// so a datagram from any other address is dropped before it reaches DTLS or SRTP.
/// Roles are fixed by the node ids: the node whose id sorts lower (ordinal) is the DTLS
/// client, so two nodes that connect at the same time never both wait as servers.
/// </summary>
public sealed class RelayLink : IDtlsDatagramSender, IRtcpSender, IDisposable
{
    private readonly RelayPort _port;
    private readonly DtlsTransport _dtls;
    private readonly Lock _rtpGate = new();
    private readonly Lock _rtcpGate = new();
    private readonly byte[] _rtcpBuffer = new byte[UdpMediaPort.ReceiveBufferSize + SrtpContext.MaxRtcpOverhead];
    private SrtpContext? _inbound;
    private SrtpContext? _outboundRtp;
    private SrtpContext? _outboundRtcp;
    private long _packetsSent;
    private long _bytesSent;
    private long _packetsReceived;
    private long _bytesReceived;
    private long _dropped;
    private volatile bool _disposed;
    private volatile bool _closed;

    internal RelayLink(RelayPort port, string peerNodeId, IPEndPoint remote, DtlsFingerprint remoteFingerprint, DtlsRole role, IRelaySink sink)
    {
        _port = port;
        PeerNodeId = peerNodeId;
        Remote = remote;
        RemoteAddress = remote.Serialize();
        Role = role;
        Sink = sink;
        _dtls = new DtlsTransport(port.Certificate, role, remoteFingerprint, this);
        _dtls.Closed += (_, _) => Closed = true;
    }

    public string PeerNodeId { get; }

    public IPEndPoint Remote { get; }

    public DtlsRole Role { get; }

    /// <summary>DTLS completed and SRTP keys are installed: media can flow both ways.</summary>
    public bool IsConnected => Volatile.Read(ref _outboundRtp) is not null && !_disposed && !Closed;

    /// <summary>
    /// The peer closed the association (close_notify or a fatal alert), or started a new one
    /// (its relay bookkeeping dropped and reopened its end): this link is done either way.
    /// </summary>
    public bool Closed
    {
        get => _closed;
        private set => _closed = value;
    }

    /// <summary>The handshake's failure, if it failed.</summary>
    public string? Error { get; private set; }

    public long PacketsSent => Interlocked.Read(ref _packetsSent);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long PacketsReceived => Interlocked.Read(ref _packetsReceived);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Datagrams from the peer's address that were not usable: not ready yet, or failed SRTP authentication.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal SocketAddress RemoteAddress { get; }

    internal IRelaySink Sink { get; }

    /// <summary>Runs the DTLS handshake and installs the SRTP contexts; false (with <see cref="Error"/>) when it fails.</summary>
    public async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        DtlsHandshakeResult result = await _dtls.HandshakeAsync(cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            Error = result.ErrorMessage;
            return false;
        }

        _inbound = SrtpContext.Create(result.Profile, result.RemoteMasterKey.Span, result.RemoteMasterSalt.Span);
        _outboundRtcp = SrtpContext.Create(result.Profile, result.LocalMasterKey.Span, result.LocalMasterSalt.Span);
        Volatile.Write(ref _outboundRtp, SrtpContext.Create(result.Profile, result.LocalMasterKey.Span, result.LocalMasterSalt.Span));
        return true;
    }

    /// <summary>
    /// Protects a plain RTP packet in place (the buffer has <see cref="SrtpContext.MaxRtpOverhead"/>
    /// spare bytes after it) and sends it to the peer. Any thread: the rooms the link serves
    /// forward on different media threads (each under its own room's gate, not a common one),
    /// the peer's NACKs are answered on the relay receive thread, and the RTP context (its
    /// per-SSRC rollover counters and its cipher state) takes one packet at a time, hence the lock.
    /// </summary>
    public bool SendRtp(Span<byte> buffer, int length)
    {
        SrtpContext? outbound = Volatile.Read(ref _outboundRtp);
        if (outbound is null || _disposed)
        {
            return false;
        }

        lock (_rtpGate)
        {
            if (outbound.ProtectRtp(buffer, length, out int protectedLength) != SrtpResult.Ok
                || !_port.SendTo(buffer[..protectedLength], RemoteAddress))
            {
                return false;
            }
        }

        Interlocked.Increment(ref _packetsSent);
        Interlocked.Add(ref _bytesSent, length);
        return true;
    }

    /// <summary>Protects and sends one plain RTCP compound packet. Any thread.</summary>
    public bool SendRtcp(ReadOnlySpan<byte> compound)
    {
        if (compound.Length > UdpMediaPort.ReceiveBufferSize)
        {
            return false;
        }

        lock (_rtcpGate)
        {
            SrtpContext? outbound = _outboundRtcp;
            if (outbound is null || _disposed)
            {
                return false;
            }

            compound.CopyTo(_rtcpBuffer);
            return outbound.ProtectRtcp(_rtcpBuffer, compound.Length, out int protectedLength) == SrtpResult.Ok
                && _port.SendTo(_rtcpBuffer.AsSpan(0, protectedLength), RemoteAddress);
        }
    }

    /// <summary>One datagram from the peer's address. Relay receive thread only.</summary>
    internal void OnDatagram(Span<byte> datagram)
    {
        // RFC 7983 §7: 20..63 is DTLS, 128..191 is RTP or RTCP.
        byte first = datagram[0];
        if (first is >= 20 and <= 63)
        {
            if (IsConnected && IsNewClientHello(datagram))
            {
                // The peer opened a new link to us while this one still stood (it dropped its end
                // and its close_notify never arrived): this association is over, and the
                // bookkeeping opens a new one, which its retransmitted ClientHello then reaches.
                Closed = true;
                return;
            }

            _ = _dtls.EnqueueIncoming(datagram);
            return;
        }

        SrtpContext? inbound = _inbound;
        if (first is < 128 or > 191 || inbound is null || _disposed)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        if (PacketClassifier.IsRtcp(datagram))
        {
            if (inbound.UnprotectRtcp(datagram, out int rtcpLength) != SrtpResult.Ok)
            {
                Interlocked.Increment(ref _dropped);
                return;
            }

            Sink.OnRtcp(this, datagram[..rtcpLength]);
            return;
        }

        if (inbound.UnprotectRtp(datagram, out int length) != SrtpResult.Ok)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        Interlocked.Increment(ref _packetsReceived);
        Interlocked.Add(ref _bytesReceived, length);
        Sink.OnRtp(this, datagram[..length]);
    }

    /// <summary>
    /// A DTLS record (RFC 6347 §4.1) in epoch 0 carrying a ClientHello (handshake type 1,
    /// RFC 6347 §4.2.2): only the start of a new association looks like that once ours is up.
    /// </summary>
    private static bool IsNewClientHello(ReadOnlySpan<byte> datagram)
    {
        const int RecordHeader = 13;
        return datagram.Length > RecordHeader
            && datagram[0] == 22
            && datagram[3] == 0 && datagram[4] == 0
            && datagram[RecordHeader] == 1;
    }

    void IDtlsDatagramSender.Send(ReadOnlySpan<byte> datagram)
    {
        if (!_disposed)
        {
            _ = _port.SendTo(datagram, RemoteAddress);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        // The DTLS transport first: its close_notify (RFC 5246 §7.2.1) still goes out, so the
        // peer drops its end of the link too instead of sending into one that is gone.
        _dtls.Dispose();
        _disposed = true;
        _port.Forget(this);
        lock (_rtcpGate)
        {
            _outboundRtcp?.Dispose();
            _outboundRtcp = null;
        }
    }
}
