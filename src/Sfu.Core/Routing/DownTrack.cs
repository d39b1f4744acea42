using System.Security.Cryptography;
using Sfu.Core.Diagnostics;
using Sfu.Core.Rtp;
using Sfu.Core.Streams;

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
    private volatile bool _paused;
    private bool _pauseSeen;
    private long _packetsSent;
    private long _octetsSent;

    internal DownTrack(Producer source, Participant subscriber, uint ssrc)
    {
        Source = source;
        Subscriber = subscriber;
        Ssrc = ssrc;
        Quality = new ReceptionQuality(source.Codec.ClockRate, subscriber.Time);
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

    /// <summary>True while the subscriber asked not to receive this track (a hidden tab, video turned off on its side).</summary>
    public bool IsPaused => _paused;

    /// <summary>Loss, jitter and round-trip time as the subscriber reports them.</summary>
    public ReceptionQuality Quality { get; }

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

    /// <summary>
    /// Stops or restarts forwarding at the subscriber's request; the transceiver and its SSRC
    /// stay, so no renegotiation. Any thread: the receive loop notices the change at the next
    /// packet and, on the way back, resumes the numbering where it stopped.
    /// </summary>
    public void SetPaused(bool paused) => _paused = paused;

    /// <summary>
    /// Answers a NACK for one of our sequence numbers from the producer's buffer: the same
    /// packet, rewritten the same way, on the same SSRC (RFC 4585 §3.4.1 leaves repair to the
    /// sender; a plain resend needs no RTX negotiation). Receive loop only.
    /// </summary>
    internal bool Retransmit(ushort sequenceNumber, Span<byte> scratch)
    {
        RetransmissionBuffer? buffer = Source.Retransmissions;
        if (!_active || _paused || !_forwarder.CanRetransmit(sequenceNumber) || buffer is null
            || !buffer.TryGet(unchecked((ushort)(sequenceNumber - _forwarder.SequenceOffset)), out ReadOnlySpan<byte> packet)
            || RtpPacket.TryParse(packet, out RtpPacket view) != RtpParseResult.Ok)
        {
            return false;
        }

        return Apply(packet, view, sequenceNumber, unchecked(view.Timestamp + _forwarder.TimestampOffset), _payloadType, scratch) > 0;
    }

    /// <summary>Decide, then apply: rewrite into scratch, protect and send. Receive loop only.</summary>
    internal void Send(ReadOnlySpan<byte> packet, in RtpPacket view, bool isKeyframe, Span<byte> scratch, MediaCounters counters)
    {
        if (!_active || !Subscriber.Transport.IsConnected)
        {
            return;
        }

        if (_paused)
        {
            _pauseSeen = true;
            return;
        }

        if (_pauseSeen)
        {
            _pauseSeen = false;
            _forwarder.Resume();
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

        int length = Apply(packet, view, decision.SequenceNumber, decision.Timestamp, decision.PayloadType, scratch);
        if (length > 0)
        {
            if (_packetsSent == 0)
            {
                Subscriber.OnFirstPacketForwarded();
            }

            _packetsSent++;
            _octetsSent += view.Payload.Length;
            counters.RtpForwarded(Source.Kind, length);
        }
    }

    /// <summary>Writes the subscriber's copy into scratch, protects it in place and sends it.</summary>
    private int Apply(ReadOnlySpan<byte> packet, in RtpPacket view, ushort sequenceNumber, uint timestamp, byte payloadType, Span<byte> scratch)
    {
        int length = RtpPacketRewriter.CopyWithExtensionMap(packet, scratch, _extensionMap);
        if (length < 0)
        {
            return -1;
        }

        Span<byte> copy = scratch[..length];
        RtpHeader.SetSsrc(copy, Ssrc);
        RtpHeader.SetSequenceNumber(copy, sequenceNumber);
        RtpHeader.SetTimestamp(copy, timestamp);
        RtpHeader.SetPayloadType(copy, payloadType);
        return Subscriber.Transport.SendRtp(scratch, length) ? length : -1;
    }
}
