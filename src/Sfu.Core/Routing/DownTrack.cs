using System.Buffers.Binary;
using System.Security.Cryptography;
using Sfu.Core.Diagnostics;
using Sfu.Core.Feedback;
using Sfu.Core.Net;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// One subscriber's copy of one producer (mediasoup's Consumer, LiveKit's DownTrack): its
/// own SSRC and numbering (<see cref="RtpSendStream"/>), the subscriber's payload type and
/// header-extension ids, and the <see cref="Forwarder"/> that decides what to send. Active only
/// once the subscriber's answer has confirmed its m-section. The subscriber's feedback about it
/// (NACK, PLI, reports) reaches it as an <see cref="IOutboundStream"/>.
/// </summary>
public sealed partial class DownTrack : IOutboundStream
{
    /// <summary>At most one PLI per publisher stream (per simulcast layer) in this interval, however many subscribers ask.</summary>
    public static readonly TimeSpan KeyframeRequestInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>What a packet gains on the wire beyond the publisher's: our extension element and the SRTP tag.</summary>
    private const int TransportCcOverhead = 4 + 16;

    private const int PaddingSize = ProbeController.PaddingSize;

    private readonly Forwarder _forwarder;
    private readonly DownTrackContext _context;
    private readonly Lock _layerChoice = new();

    // What an ICE-TCP subscriber's send queue drops first when it backs up: video before audio.
    private readonly DatagramPriority _priority;

    /// <summary>VP8 simulcast only: keeps PictureID and TL0PICIDX continuous across layer switches.</summary>
    private readonly Vp8PictureNumbering? _vp8;
    private ExtensionIdMap _extensionMap;

    // This track's SSRC in the subscriber's outbound SRTP context, found on the first packet.
    private SrtpSendHandle _srtp;
    private byte _payloadType;
    private byte _transportCcId;
    private volatile bool _active;
    private volatile bool _paused;
    private volatile bool _pauseSeen;
    private uint _lastTimestamp;
    private long _lastSentAt;
    private int _requestedWidth;
    private int _requestedHeight;
    private int _pinnedLayer = -1;
    private int _requestedLayer;
    private int _allocatedLayer = int.MaxValue;
    private volatile bool _bandwidthPaused;
    private int _sizeVersion = -1;

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
        _forwarder = new Forwarder(source.Kind == MediaKind.Video, Stream.Translator, source.Layers.Length);
        _priority = source.Kind == MediaKind.Audio ? DatagramPriority.Audio : DatagramPriority.Video;
        _vp8 = source.Kind == MediaKind.Video && source.Layers.Length > 1 && string.Equals(source.Codec.Name, "VP8", StringComparison.OrdinalIgnoreCase)
            ? new Vp8PictureNumbering(source.Layers.Length)
            : null;
    }

    public Producer Source { get; }

    internal MediaCounters Counters => _context.Counters;

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

    /// <summary>The simulcast layer being forwarded, -1 before the first packet.</summary>
    public int CurrentLayer => _forwarder.CurrentLayer;

    /// <summary>The layer this subscriber should get (by the size it renders at, or pinned) when every layer arrives.</summary>
    public int WantedLayer => _forwarder.WantedLayer;

    /// <summary>The layer the subscriber asks for (by the size it renders at, or pinned), before bandwidth has a say.</summary>
    public int RequestedLayer => Volatile.Read(ref _requestedLayer);

    /// <summary>The highest layer the subscriber's bandwidth allows (<see cref="int.MaxValue"/>: no limit; -1: paused for bandwidth).</summary>
    public int AllocatedLayer => Volatile.Read(ref _allocatedLayer);

    /// <summary>True while the subscriber's bandwidth cannot carry even the lowest layer.</summary>
    public bool IsPausedForBandwidth => _bandwidthPaused;

    /// <summary>True while the subscriber's bandwidth holds this video below the layer it asks for.</summary>
    public bool IsReducedForBandwidth => !_bandwidthPaused && AllocatedLayer < RequestedLayer;

    /// <summary>True while packets go out: neither the subscriber nor its bandwidth paused it.</summary>
    public bool IsForwarding => _active && !_paused && !_bandwidthPaused;

    /// <summary>The layer an operator or the subscriber pinned, -1 when chosen by size.</summary>
    public int PinnedLayer => Volatile.Read(ref _pinnedLayer);

    /// <summary>Starts forwarding with what the subscriber's answer negotiated.</summary>
    /// <param name="transportCcId">The subscriber's id for the transport-wide sequence number we stamp on every packet, 0 when it did not negotiate it.</param>
    internal void Activate(byte payloadType, ExtensionIdMap extensionMap, byte transportCcId = 0)
    {
        _transportCcId = transportCcId;
        _payloadType = payloadType;
        _extensionMap = extensionMap;
        _active = true;
    }

    internal void Deactivate() => _active = false;

    /// <summary>
    /// Decide, then apply: rewrite into scratch, protect and send. Media path only (one thread at
    /// a time: its room's media gate). Returns the bytes forwarded (0: nothing), which the
    /// fan-out counts for all its copies at once.
    /// </summary>
    /// <param name="liveLayers">Bit i set when the producer's layer i arrives.</param>
    internal int Send(ProducerLayer layer, ReadOnlySpan<byte> packet, in RtpPacket view, bool isKeyframe, uint liveLayers, long now, Span<byte> scratch)
    {
        if (!_active || !_context.Transport.IsConnected)
        {
            return 0;
        }

        if (_paused || _bandwidthPaused)
        {
            _pauseSeen = true;
            return 0;
        }

        if (_pauseSeen)
        {
            _pauseSeen = false;
            _forwarder.Resume();
        }

        if (_sizeVersion != Source.LayerSizeVersion)
        {
            ChooseLayer();
        }

        byte? payloadType = view.PayloadType == Source.Codec.PayloadType ? _payloadType : null;
        ForwardDecision decision = _forwarder.Decide(layer.Index, view.SequenceNumber, view.Timestamp, payloadType, isKeyframe, liveLayers);
        if (decision.RequestKeyframe)
        {
            Source.Layers[decision.Layer].RequestKeyframe(KeyframeRequestInterval, _forwarder.Started ? KeyframeRequestReason.LayerSwitch : KeyframeRequestReason.Start);
        }

        bool switched = false;
        if (decision.Action == ForwardAction.Rebase)
        {
            int from = _forwarder.CurrentLayer;
            decision = _forwarder.Rebase(layer.Index, view.SequenceNumber, view.Timestamp, OutputTimestamp(layer, view.Timestamp, now), decision.PayloadType);
            switched = from != layer.Index;
            if (from >= 0 && switched)
            {
                _context.Counters.LayerSwitched();
            }
        }

        if (decision.Action != ForwardAction.Forward)
        {
            return 0;
        }

        int length = Apply(packet, decision.SequenceNumber, decision.Timestamp, decision.PayloadType, now, scratch, layer.Index, resend: false, switched);
        if (length > 0)
        {
            _lastTimestamp = decision.Timestamp;
            _lastSentAt = now;
            if (Stream.OnSent(view.Payload.Length))
            {
                _context.OnFirstPacket();
            }

            // Padding goes only between frames: a padding packet takes a sequence number, and a
            // receiver assembles a frame from consecutive numbers up to the marker packet (RFC 7741
            // §4.1), so one inside a frame leaves it incomplete, and the frames after it undecodable
            // until a keyframe (libwebrtc pads only after a frame's last packet for the same reason).
            // An audio packet is a frame of its own.
            if (_context.Probe.IsProbing && (view.Marker || Source.Kind == MediaKind.Audio))
            {
                SendPadding(now, scratch);
            }

            return length;
        }

        return 0;
    }

    /// <summary>
    /// Hints the CPU to load, ahead of <see cref="Send"/>, the objects it reads at
    /// <paramref name="depth"/> references from this one: 1, the context, forwarder and send
    /// stream and VP8 numbering; 2, the transport, numbering, transport-wide ring and SRTP stream
    /// state; 3, the transport's SRTP context and ICE agent, the transport-wide ring's next
    /// slot and the numbering's input unwrapper; 4, the ICE selection (read after the encryption) and the SRTP transform; 5, the
    /// transform's keys, for the down-track about to send. The fan-out calls it for the next down-tracks, deeper for the
    /// nearer ones, so each level was hinted one turn before it is read (see <see cref="CachePrefetch"/>).
    /// No effect on behaviour.
    /// </summary>
    internal void Prefetch(int depth)
    {
        switch (depth)
        {
            case 1:
                CachePrefetch.Object(_context);
                CachePrefetch.Object(_forwarder);
                CachePrefetch.Object(Stream);
                CachePrefetch.Object(_vp8);
                break;
            case 2:
                // The transport's hot fields lie up to ~250 bytes in: four lines.
                CachePrefetch.Object(_context.Transport, 256);
                Stream.Translator.Prefetch();
                CachePrefetch.Object(_context.Probe);
                CachePrefetch.Object(_context.TransportCc);
                CachePrefetch.Object(_srtp.Stream);
                break;
            case 3:
                _context.Transport.PrefetchSend();
                _context.TransportCc.PrefetchNext();
                Stream.Translator.PrefetchInput();
                break;
            case 4:
                _context.Transport.PrefetchProtection();
                break;
            default:
                _context.Transport.PrefetchKeys();
                break;
        }
    }

    /// <summary>
    /// While a bandwidth probe runs, tops what goes out up to the probe's rate with padding-only
    /// packets on this stream (RFC 3550 §5.1: P set, no payload), after a frame's last packet:
    /// each takes the next sequence
    /// number and the last timestamp, and carries a transport-wide sequence number, so the
    /// subscriber's feedback reports on it while its decoder skips it.
    /// </summary>
    private void SendPadding(long now, Span<byte> scratch)
    {
        ProbeController probe = _context.Probe;
        for (int i = 0; probe.PaddingDue(now, i, PaddingSize); i++)
        {
            if (!Stream.Translator.TryReserve(out ushort sequenceNumber))
            {
                return;
            }

            int length = WritePadding(scratch, sequenceNumber, now);
            if (!_context.Transport.SendRtp(scratch, length, DatagramPriority.Video, ref _srtp))
            {
                return;
            }

            probe.OnSent(length, padding: true);
        }
    }

    private int WritePadding(Span<byte> buffer, ushort sequenceNumber, long now)
    {
        bool extension = _transportCcId != 0;
        buffer[0] = (byte)(0x80 | 0x20 | (extension ? 0x10 : 0));
        buffer[1] = _payloadType;
        RtpHeader.SetSequenceNumber(buffer, sequenceNumber);
        RtpHeader.SetTimestamp(buffer, _lastTimestamp);
        RtpHeader.SetSsrc(buffer, Ssrc);
        int offset = RtpPacket.FixedHeaderLength;
        if (extension)
        {
            int length = offset + 8 + PaddingSize;
            ushort transportSequence = _context.TransportCc.Stamp(length + TransportCcOverhead, now, probe: true);
            BinaryPrimitives.WriteUInt16BigEndian(buffer[offset..], RtpPacket.OneByteExtensionProfile);
            BinaryPrimitives.WriteUInt16BigEndian(buffer[(offset + 2)..], 1);
            buffer[offset + 4] = (byte)((_transportCcId << 4) | 1);
            BinaryPrimitives.WriteUInt16BigEndian(buffer[(offset + 5)..], transportSequence);
            buffer[offset + 7] = 0;
            offset += 8;
        }

        buffer.Slice(offset, PaddingSize - 1).Clear();
        buffer[offset + PaddingSize - 1] = (byte)PaddingSize;
        return offset + PaddingSize;
    }

    /// <summary>
    /// The output timestamp for the first packet after a re-base: on the same layer (a resume)
    /// the offset stays, so the time that passed shows; on another layer the two layers' sender
    /// reports line its timestamp up with the current one (<see cref="TimestampAlignment"/>),
    /// else the wall-clock time since the last packet sent stands in. Never a step back.
    /// </summary>
    private uint OutputTimestamp(ProducerLayer to, uint timestamp, long now)
    {
        SequenceTranslator translator = Stream.Translator;
        int from = translator.CurrentSource;
        if (!translator.Started)
        {
            return 0;
        }

        if (from == to.Index)
        {
            return unchecked(timestamp + translator.TimestampOffset);
        }

        uint elapsed = (uint)Math.Max(1, _context.Time.GetElapsedTime(_lastSentAt, now).TotalSeconds * Stream.ClockRate);
        uint byClock = unchecked(_lastTimestamp + elapsed);
        uint candidate = TimestampAlignment.TryAlign(Source.Layers[from].Stream?.LastSenderReport, to.Stream?.LastSenderReport, timestamp, Stream.ClockRate, out uint aligned)
            ? unchecked(aligned + translator.TimestampOffset)
            : byClock;

        // Reports that disagree by more than a second with the clock are not trusted.
        if (Math.Abs(RtpSequence.Distance(byClock, candidate)) > Stream.ClockRate)
        {
            candidate = byClock;
        }

        return RtpSequence.IsNewer(candidate, _lastTimestamp) ? candidate : unchecked(_lastTimestamp + 1);
    }

    /// <summary>
    /// Answers a NACK for one of our sequence numbers from the producer's buffer: the same
    /// packet, rewritten the same way, on the same SSRC (a plain resend needs no RTX
    /// negotiation). Media path only (one thread at a time: its room's media gate).
    /// </summary>
    /// <remarks>
    /// A packet of a relayed track that this node's buffer does not hold is asked of the
    /// track's node (<see cref="ProducerLayer.AskOrigin"/>), and its resend comes through
    /// <see cref="ResendFromOrigin"/> later: false now.
    /// </remarks>
    public bool Retransmit(ushort sequenceNumber, Span<byte> scratch)
    {
        if (!IsForwarding
            || !Stream.Translator.TryMapBack(sequenceNumber, out int layer, out ushort sourceSequenceNumber, out uint timestampOffset)
            || (uint)layer >= (uint)Source.Layers.Length)
        {
            return false;
        }

        ProducerLayer source = Source.Layers[layer];
        if (source.Stream?.Retransmissions is not { } buffer || !buffer.TryGet(sourceSequenceNumber, out ReadOnlySpan<byte> packet))
        {
            if (Source.IsRemote)
            {
                source.AskOrigin(this, sourceSequenceNumber, sequenceNumber, timestampOffset, _context.Time.GetTimestamp());
            }

            return false;
        }

        return RtpPacket.TryParse(packet, out RtpPacket view) == RtpParseResult.Ok
            && Apply(packet, sequenceNumber, unchecked(view.Timestamp + timestampOffset), _payloadType, _context.Time.GetTimestamp(), scratch, layer, resend: true) > 0;
    }

    /// <summary>
    /// The track's node answered this subscriber's NACK for our <paramref name="sequenceNumber"/>
    /// with <paramref name="packet"/> (as its publisher sent it): sent as first sent, stamped
    /// <paramref name="timestamp"/>, and counted as a retransmission; the subscriber's NACKs for
    /// it within a round trip (sent before this arrived) are not passed on again. Media path.
    /// </summary>
    internal bool ResendFromOrigin(ReadOnlySpan<byte> packet, ushort sequenceNumber, uint timestamp, Span<byte> scratch)
    {
        long now = _context.Time.GetTimestamp();
        int layer = Stream.Translator.TryMapBack(sequenceNumber, out int mapped, out _, out _) ? mapped : -1;
        if (!IsForwarding || Apply(packet, sequenceNumber, timestamp, _payloadType, now, scratch, layer, resend: true) <= 0)
        {
            return false;
        }

        Stream.NoteResent(sequenceNumber, now);
        _context.Counters.Retransmitted();
        return true;
    }


    /// <summary>Forwarding can start (the subscriber is connected and answered): ask at once for a keyframe of the layer it wants.</summary>
    internal void RequestStartKeyframe() => Source.Layers[_forwarder.WantedLayer].RequestKeyframe(TimeSpan.Zero, KeyframeRequestReason.Start);

    /// <summary>The subscriber lost its picture: ask the publisher for one of the layer it gets, throttled per layer.</summary>
    public void RequestKeyframe()
    {
        int layer = Math.Max(0, _forwarder.CurrentLayer);
        Source.Layers[layer].RequestKeyframe(KeyframeRequestInterval, KeyframeRequestReason.SubscriberRequest);
    }

    /// <summary>Our RTP timestamp at <paramref name="now"/>: the current layer's, moved by our offset.</summary>
    public bool TryGetRtpTimestampAt(long now, out uint rtpTimestamp)
    {
        rtpTimestamp = 0;
        SequenceTranslator translator = Stream.Translator;
        int layer = translator.CurrentSource;
        if (layer < 0 || Source.Layers[layer].Stream is not { } source || !source.TryGetRtpTimestampAt(now, out uint at))
        {
            return false;
        }

        rtpTimestamp = unchecked(at + translator.TimestampOffset);
        return true;
    }

    /// <summary>
    /// Writes the subscriber's copy into scratch, protects it in place and sends it.
    /// <paramref name="layer"/> is the source layer the packet came from (-1: not known), and
    /// <paramref name="switched"/> marks the first packet after forwarding moved to it.
    /// </summary>
    private int Apply(ReadOnlySpan<byte> packet, ushort sequenceNumber, uint timestamp, byte payloadType, long now, Span<byte> scratch, int layer, bool resend, bool switched = false)
    {
        // Every packet toward a subscriber that negotiated it gets the next transport-wide
        // sequence number, retransmissions included: its feedback on them is our estimate.
        bool probing = _context.Probe.OnSent(packet.Length, padding: false);
        ushort transportSequence = _transportCcId == 0 ? (ushort)0 : _context.TransportCc.Stamp(packet.Length + TransportCcOverhead, now, probing);
        int length = RtpPacketRewriter.CopyWithExtensionMap(packet, scratch, _extensionMap, _transportCcId, transportSequence);
        if (length < 0)
        {
            return -1;
        }

        Span<byte> copy = scratch[..length];
        RtpHeader.SetSsrc(copy, Ssrc);
        RtpHeader.SetSequenceNumber(copy, sequenceNumber);
        RtpHeader.SetTimestamp(copy, timestamp);
        RtpHeader.SetPayloadType(copy, payloadType);
        if (_vp8 is not null && layer >= 0 && RtpPacket.TryParse(copy, out RtpPacket written) == RtpParseResult.Ok)
        {
            Span<byte> payload = copy.Slice(written.HeaderLength, written.Payload.Length);
            if (resend)
            {
                _vp8.RewriteResend(payload, layer);
            }
            else
            {
                _vp8.Rewrite(payload, layer, switched);
            }
        }

        return _context.Transport.SendRtp(scratch, length, _priority, ref _srtp) ? length : -1;
    }
}
