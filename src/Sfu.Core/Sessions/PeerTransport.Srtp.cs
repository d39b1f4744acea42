using System.Net;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;

namespace Sfu.Core.Sessions;

/// <summary>SRTP for the transport: media in and out, protected in place (RFC 3711, RFC 7714).</summary>
public sealed partial class PeerTransport
{
    /// <summary>An SRTP or SRTCP packet from a bound address. Media path only (one thread at a time: its room's media gate).</summary>
    internal void OnSrtp(Span<byte> datagram, SocketAddress source, IDatagramPath path, Span<byte> scratch)
    {
        SrtpContext? inbound = _inbound;
        if (!_connected || inbound is null)
        {
            _counters.Dropped(DropReason.NotReady);
            return;
        }

        if (!IsFromSelected(source, path))
        {
            _counters.Dropped(DropReason.UnselectedAddress);
            return;
        }

        if (Ingress is { } ingress && !ingress.Admit(datagram.Length, _time.GetTimestamp()))
        {
            _counters.Dropped(DropReason.IngressLimit);
            return;
        }

        if (PacketClassifier.IsRtcp(datagram))
        {
            SrtpResult rtcpResult = inbound.UnprotectRtcp(datagram, out int rtcpLength);
            if (rtcpResult != SrtpResult.Ok)
            {
                _counters.Dropped(DropOf(rtcpResult));
                return;
            }

            _sink?.OnRtcp(datagram[..rtcpLength], scratch);
            return;
        }

        SrtpResult result = inbound.UnprotectRtp(datagram, out int length);
        if (result != SrtpResult.Ok)
        {
            _counters.Dropped(DropOf(result));
            return;
        }

        ReadOnlySpan<byte> packet = datagram[..length];
        if (RtpPacket.TryParse(packet, out RtpPacket view) != RtpParseResult.Ok)
        {
            _counters.Dropped(DropReason.Malformed);
            return;
        }

        _sink?.OnRtp(packet, view, scratch);
    }

    /// <summary>
    /// Protects a plain RTP packet in place (the buffer has room for the tag) and sends it.
    /// Media path only: the outbound RTP context is used under its room's media gate, one thread at a time.
    /// </summary>
    public bool SendRtp(Span<byte> buffer, int length) => SendRtp(buffer, length, DatagramPriority.Video);

    /// <summary>
    /// As <see cref="SendRtp(Span{byte}, int)"/>; <paramref name="priority"/> says what a path
    /// that backs up (an ICE-TCP connection) drops first. Media path only (one thread at a time: its room's media gate).
    /// </summary>
    public bool SendRtp(Span<byte> buffer, int length, DatagramPriority priority)
    {
        SrtpSendHandle lookup = default;
        return SendRtp(buffer, length, priority, ref lookup);
    }

    /// <summary>
    /// As <see cref="SendRtp(Span{byte}, int, DatagramPriority)"/> for a sender that keeps its
    /// SSRC's <paramref name="handle"/> (a down-track): no lookup of the SSRC's SRTP state per packet.
    /// </summary>
    internal bool SendRtp(Span<byte> buffer, int length, DatagramPriority priority, ref SrtpSendHandle handle)
    {
        SrtpContext? outbound = _outboundRtp;
        if (outbound is null || _ice?.Selection is null)
        {
            return false;
        }

        if (outbound.ProtectRtp(buffer, length, ref handle, out int protectedLength) != SrtpResult.Ok)
        {
            return false;
        }

        return SendSelected(buffer[..protectedLength], priority);
    }

    /// <summary>
    /// Hints the CPU to load what <see cref="SendRtp(Span{byte}, int, DatagramPriority)"/> reads
    /// after this object itself: the outbound context and the ICE agent (see <see cref="CachePrefetch"/>).
    /// No effect on behaviour.
    /// </summary>
    internal void PrefetchSend()
    {
        CachePrefetch.Object(_outboundRtp);
        CachePrefetch.Object(_ice);
    }

    /// <summary>
    /// Hints the ICE selection that <see cref="SendRtp(Span{byte}, int, DatagramPriority)"/> reads
    /// after the encryption (its path and address); call it a turn after <see cref="PrefetchSend"/>,
    /// which brought the agent in. Its first read was a third of a down-track's stalls at 1 → 1,000.
    /// No effect on behaviour.
    /// </summary>
    internal void PrefetchSelection() => CachePrefetch.Object(_ice?.Selection);

    /// <summary>
    /// A turn after <see cref="PrefetchSend"/>: the outbound context's transform, beside the ICE
    /// selection (<see cref="PrefetchSelection"/>). No effect on behaviour.
    /// </summary>
    internal void PrefetchProtection()
    {
        PrefetchSelection();
        _outboundRtp?.PrefetchTransform();
    }

    /// <summary>A turn after <see cref="PrefetchProtection"/>: the transform's keys. No effect on behaviour.</summary>
    internal void PrefetchKeys() => _outboundRtp?.PrefetchKeys();

    /// <summary>Protects and sends one plain RTCP compound packet. Any thread.</summary>
    public bool SendRtcp(ReadOnlySpan<byte> compound)
    {
        if (!_connected || _ice?.Selection is null || compound.Length > UdpMediaPort.ReceiveBufferSize)
        {
            return false;
        }

        lock (_rtcpGate)
        {
            SrtpContext? outbound = _outboundRtcp;
            if (outbound is null)
            {
                return false;
            }

            compound.CopyTo(_rtcpBuffer);
            if (outbound.ProtectRtcp(_rtcpBuffer, compound.Length, out int protectedLength) != SrtpResult.Ok)
            {
                return false;
            }

            return SendSelected(_rtcpBuffer.AsSpan(0, protectedLength), DatagramPriority.Control);
        }
    }

    private static DropReason DropOf(SrtpResult result) => result switch
    {
        SrtpResult.AuthenticationFailed => DropReason.SrtpAuth,
        SrtpResult.ReplayDuplicate or SrtpResult.ReplayTooOld => DropReason.Replay,
        _ => DropReason.Malformed,
    };
}
