using System.Security.Cryptography;
using Sfu.Core.Diagnostics;
using Sfu.Core.Rtp;

namespace Sfu.Core.Routing;

/// <summary>
/// One subscriber's copy of one producer (a "consumer"): its own SSRC, the subscriber's
/// payload type and header-extension ids, and the forwarder that translates sequence numbers
/// and timestamps. Active only once the subscriber's answer has confirmed its m-section.
/// </summary>
public sealed class DownTrack
{
    private Forwarder _forwarder;
    private ExtensionIdMap _extensionMap;
    private byte _payloadType;
    private volatile bool _active;
    private long _packetsSent;
    private long _octetsSent;

    internal DownTrack(Producer source, Participant subscriber, uint ssrc)
    {
        Source = source;
        Subscriber = subscriber;
        Ssrc = ssrc;
        Span<byte> seed = stackalloc byte[6];
        RandomNumberGenerator.Fill(seed);
        _forwarder = new Forwarder(
            source.Kind == MediaKind.Video,
            (ushort)(seed[0] << 8 | seed[1]),
            (uint)(seed[2] << 24 | seed[3] << 16 | seed[4] << 8 | seed[5]));
    }

    public Producer Source { get; }

    public Participant Subscriber { get; }

    /// <summary>The SSRC the subscriber receives this track on (announced in its SDP).</summary>
    public uint Ssrc { get; }

    /// <summary>The subscriber's m-section carrying this track, once one is assigned.</summary>
    public string? Mid { get; internal set; }

    public bool IsActive => _active;

    public long PacketsSent => Volatile.Read(ref _packetsSent);

    public long OctetsSent => Volatile.Read(ref _octetsSent);

    internal uint TimestampOffset => _forwarder.TimestampOffset;

    internal bool Started => _forwarder.Started;

    /// <summary>Starts forwarding with what the subscriber's answer negotiated.</summary>
    internal void Activate(byte payloadType, ExtensionIdMap extensionMap)
    {
        _payloadType = payloadType;
        _extensionMap = extensionMap;
        _active = true;
    }

    internal void Deactivate() => _active = false;

    /// <summary>Decide, then apply: rewrite into scratch, protect and send. Receive loop only.</summary>
    internal void Send(ReadOnlySpan<byte> packet, in RtpPacket view, bool isKeyframe, Span<byte> scratch, MediaCounters counters)
    {
        if (!_active || !Subscriber.Transport.IsConnected)
        {
            return;
        }

        byte? payloadType = view.PayloadType == Source.Codec.PayloadType ? _payloadType : null;
        ForwardDecision decision = _forwarder.Decide(view.SequenceNumber, view.Timestamp, payloadType, isKeyframe);
        if (decision.RequestKeyframe)
        {
            Source.RequestKeyframe(Subscriber.Time, Participant.KeyframeRequestInterval);
        }

        if (decision.Action != ForwardAction.Forward)
        {
            return;
        }

        int length = RtpPacketRewriter.CopyWithExtensionMap(packet, scratch, _extensionMap);
        if (length < 0)
        {
            return;
        }

        Span<byte> copy = scratch[..length];
        RtpHeader.SetSsrc(copy, Ssrc);
        RtpHeader.SetSequenceNumber(copy, decision.SequenceNumber);
        RtpHeader.SetTimestamp(copy, decision.Timestamp);
        RtpHeader.SetPayloadType(copy, decision.PayloadType);
        if (Subscriber.Transport.SendRtp(scratch, length))
        {
            _packetsSent++;
            _octetsSent += view.Payload.Length;
            counters.RtpForwarded(Source.Kind, length);
        }
    }
}
