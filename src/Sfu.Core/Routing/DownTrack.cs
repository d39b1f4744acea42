using System.Security.Cryptography;
using Sfu.Core.Feedback;
using Sfu.Core.Rtp;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// One subscriber's copy of one producer (mediasoup's Consumer, LiveKit's DownTrack): its
/// own SSRC and numbering (<see cref="RtpSendStream"/>), the subscriber's payload type and
/// header-extension ids, and the <see cref="Forwarder"/> that decides what to send. Active only
/// once the subscriber's answer has confirmed its m-section. The subscriber's feedback about it
/// (NACK, PLI, reports) reaches it as an <see cref="IOutboundStream"/>.
/// </summary>
public sealed class DownTrack : IOutboundStream
{
    /// <summary>At most one PLI per publisher stream in this interval, however many subscribers ask.</summary>
    public static readonly TimeSpan KeyframeRequestInterval = TimeSpan.FromMilliseconds(300);

    private readonly Forwarder _forwarder;
    private readonly DownTrackContext _context;
    private ExtensionIdMap _extensionMap;
    private byte _payloadType;
    private volatile bool _active;
    private volatile bool _paused;
    private bool _pauseSeen;

    internal DownTrack(Producer source, Participant subscriber, uint ssrc, DownTrackContext context)
    {
        Source = source;
        Subscriber = subscriber;
        _context = context;
        Span<byte> seed = stackalloc byte[6];
        RandomNumberGenerator.Fill(seed);
        Stream = new RtpSendStream(
            ssrc,
            source.Kind,
            source.Codec.ClockRate,
            (ushort)(seed[0] << 8 | seed[1]),
            (uint)(seed[2] << 24 | seed[3] << 16 | seed[4] << 8 | seed[5]),
            context.Time);
        _forwarder = new Forwarder(source.Kind == MediaKind.Video, Stream.Translator);
    }

    public Producer Source { get; }

    public Participant Subscriber { get; }

    /// <summary>What we send the subscriber: SSRC, numbering, counts, its reports.</summary>
    public RtpSendStream Stream { get; }

    /// <summary>The SSRC the subscriber receives this track on (announced in its SDP).</summary>
    public uint Ssrc => Stream.Ssrc;

    /// <summary>The subscriber's m-section carrying this track, once one is assigned.</summary>
    public string? Mid { get; internal set; }

    public bool IsActive => _active;

    /// <summary>True while the subscriber asked not to receive this track (a hidden tab, video turned off on its side).</summary>
    public bool IsPaused => _paused;

    /// <summary>Loss, jitter and round-trip time as the subscriber reports them.</summary>
    public ReceptionQuality Quality => Stream.Quality;

    public long PacketsSent => Stream.PacketsSent;

    public long OctetsSent => Stream.OctetsSent;

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

    /// <summary>Decide, then apply: rewrite into scratch, protect and send. Receive loop only.</summary>
    internal void Send(ReadOnlySpan<byte> packet, in RtpPacket view, bool isKeyframe, Span<byte> scratch)
    {
        if (!_active || !_context.Transport.IsConnected)
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
            Source.RequestKeyframe(KeyframeRequestInterval);
        }

        if (decision.Action != ForwardAction.Forward)
        {
            return;
        }

        int length = Apply(packet, decision.SequenceNumber, decision.Timestamp, decision.PayloadType, scratch);
        if (length > 0)
        {
            if (Stream.OnSent(view.Payload.Length))
            {
                _context.OnFirstPacket();
            }

            _context.Counters.RtpForwarded(Source.Kind, length);
        }
    }

    /// <summary>
    /// Answers a NACK for one of our sequence numbers from the producer's buffer: the same
    /// packet, rewritten the same way, on the same SSRC (a plain resend needs no RTX
    /// negotiation). Receive loop only.
    /// </summary>
    public bool Retransmit(ushort sequenceNumber, Span<byte> scratch)
    {
        if (!_active || _paused
            || !Stream.Translator.TryMapBack(sequenceNumber, out _, out ushort sourceSequenceNumber, out uint timestampOffset)
            || Source.Stream.Retransmissions is not { } buffer
            || !buffer.TryGet(sourceSequenceNumber, out ReadOnlySpan<byte> packet)
            || RtpPacket.TryParse(packet, out RtpPacket view) != RtpParseResult.Ok)
        {
            return false;
        }

        return Apply(packet, sequenceNumber, unchecked(view.Timestamp + timestampOffset), _payloadType, scratch) > 0;
    }

    /// <summary>The subscriber lost its picture: ask the publisher, throttled at the producer.</summary>
    public void RequestKeyframe() => Source.RequestKeyframe(KeyframeRequestInterval);

    /// <summary>Our RTP timestamp at <paramref name="now"/>: the source's, moved by our offset.</summary>
    public bool TryGetRtpTimestampAt(long now, out uint rtpTimestamp)
    {
        bool known = Source.Stream.TryGetRtpTimestampAt(now, out uint source);
        rtpTimestamp = unchecked(source + Stream.Translator.TimestampOffset);
        return known && Stream.Translator.Started;
    }

    /// <summary>Writes the subscriber's copy into scratch, protects it in place and sends it.</summary>
    private int Apply(ReadOnlySpan<byte> packet, ushort sequenceNumber, uint timestamp, byte payloadType, Span<byte> scratch)
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
        return _context.Transport.SendRtp(scratch, length) ? length : -1;
    }
}
