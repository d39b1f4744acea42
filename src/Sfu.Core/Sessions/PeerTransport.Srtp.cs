using System.Net;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;

namespace Sfu.Core.Sessions;

/// <summary>SRTP for the transport: media in and out, protected in place (RFC 3711, RFC 7714).</summary>
public sealed partial class PeerTransport
{
    /// <summary>An SRTP or SRTCP packet from a bound address. Receive loop only.</summary>
    internal void OnSrtp(Span<byte> datagram, SocketAddress source, Span<byte> scratch)
    {
        SrtpContext? inbound = _inbound;
        if (!_connected || inbound is null)
        {
            _counters.Dropped(DropReason.NotReady);
            return;
        }

        if (!_ice!.IsFromSelected(source))
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
    /// Receive loop only: the outbound RTP context has one owner.
    /// </summary>
    public bool SendRtp(Span<byte> buffer, int length)
    {
        SrtpContext? outbound = _outboundRtp;
        SocketAddress? remote = RemoteAddress;
        if (outbound is null || remote is null)
        {
            return false;
        }

        if (outbound.ProtectRtp(buffer, length, out int protectedLength) != SrtpResult.Ok)
        {
            return false;
        }

        return _port.SendTo(buffer[..protectedLength], remote);
    }

    /// <summary>Protects and sends one plain RTCP compound packet. Any thread.</summary>
    public bool SendRtcp(ReadOnlySpan<byte> compound)
    {
        SocketAddress? remote = RemoteAddress;
        if (!_connected || remote is null || compound.Length > UdpMediaPort.ReceiveBufferSize)
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

            return _port.SendTo(_rtcpBuffer.AsSpan(0, protectedLength), remote);
        }
    }

    private static DropReason DropOf(SrtpResult result) => result switch
    {
        SrtpResult.AuthenticationFailed => DropReason.SrtpAuth,
        SrtpResult.ReplayDuplicate or SrtpResult.ReplayTooOld => DropReason.Replay,
        _ => DropReason.Malformed,
    };
}
