using System.Net;
using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;
using Sfu.Core.Routing;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// One subscriber's down-track on the packet path: the same steps, in the same order, as
/// <c>DownTrack.Send</c> followed by <c>PeerTransport.SendRtp</c>, on the same Core types
/// (<see cref="Forwarder"/>, <see cref="RtpPacketRewriter"/>, <see cref="RtpHeader"/>,
/// <see cref="SrtpContext"/>, <see cref="UdpMediaPort"/>).
/// </summary>
/// <remarks>
/// <c>DownTrack</c> itself cannot be driven here: it only sends through a connected
/// <c>PeerTransport</c>, whose SRTP contexts are installed by a completed DTLS handshake and
/// nothing else. This class mirrors it line by line instead; keep the two in step.
/// </remarks>
internal sealed class FanOutSubscriber : IDisposable
{
    private readonly SrtpContext _outbound;
    private readonly ExtensionIdMap _extensionMap;
    private readonly UdpMediaPort? _port;
    private readonly SocketAddress? _destination;
    private readonly Forwarder _forwarder;
    private long _packetsSent;
    private long _octetsSent;

    public FanOutSubscriber(SrtpProfile profile, byte keySeed, uint ssrc, ushort initialSequenceNumber, uint initialTimestamp, UdpMediaPort? port = null, SocketAddress? destination = null)
    {
        KeySeed = keySeed;
        Ssrc = ssrc;
        _outbound = TestMedia.CreateContext(profile, keySeed);
        _extensionMap = TestMedia.SubscriberExtensionMap();
        _forwarder = new Forwarder(isVideo: true, new Sfu.Core.Streams.SequenceTranslator(initialSequenceNumber, initialTimestamp));
        _port = port;
        _destination = destination;
    }

    public byte KeySeed { get; }

    public uint Ssrc { get; }

    public long PacketsSent => _packetsSent;

    public long OctetsSent => _octetsSent;

    /// <summary>
    /// Decide, rewrite into <paramref name="scratch"/>, protect there and (with a port) send.
    /// Returns the SRTP length sent, or 0 when the packet was not forwarded.
    /// </summary>
    public int Send(ReadOnlySpan<byte> packet, in RtpPacket view, bool isKeyframe, Span<byte> scratch, MediaCounters counters)
    {
        byte? payloadType = view.PayloadType == TestMedia.PublisherPayloadType ? TestMedia.SubscriberPayloadType : null;
        ForwardDecision decision = _forwarder.Decide(view.SequenceNumber, view.Timestamp, payloadType, isKeyframe);
        if (decision.Action != ForwardAction.Forward)
        {
            return 0;
        }

        int length = RtpPacketRewriter.CopyWithExtensionMap(packet, scratch, _extensionMap);
        if (length < 0)
        {
            return 0;
        }

        Span<byte> copy = scratch[..length];
        RtpHeader.SetSsrc(copy, Ssrc);
        RtpHeader.SetSequenceNumber(copy, decision.SequenceNumber);
        RtpHeader.SetTimestamp(copy, decision.Timestamp);
        RtpHeader.SetPayloadType(copy, decision.PayloadType);

        // PeerTransport.SendRtp: protect in place, then one datagram to the selected address.
        if (_outbound.ProtectRtp(scratch, length, out int protectedLength) != SrtpResult.Ok)
        {
            return 0;
        }

        if (_port is not null && !_port.SendTo(scratch[..protectedLength], _destination!))
        {
            return 0;
        }

        _packetsSent++;
        _octetsSent += view.Payload.Length;
        counters.RtpForwarded(MediaKind.Video, length);
        return protectedLength;
    }

    public void Dispose() => _outbound.Dispose();
}
