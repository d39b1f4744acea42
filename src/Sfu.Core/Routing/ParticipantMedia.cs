using System.Buffers.Binary;
using System.Collections.Immutable;
using Sfu.Core.Diagnostics;
using Sfu.Core.Feedback;
using Sfu.Core.Relay;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// Where one participant's decrypted packets go: RTP to the producer layer its SSRC names (on
/// a retransmission SSRC, restored first), RTCP to the transport's feedback processors. A
/// simulcast layer's SSRC is learnt from its first packet, by the rid it carries (RFC 8852):
/// browsers announce no SSRCs for simulcast. This is the whole per-packet path above the
/// transport, in one place. Media path only (under the room's media gate); the SSRC tables change on the signaling path (and
/// once per simulcast SSRC here) and are read without a lock.
/// </summary>
internal sealed class ParticipantMedia : IPeerMediaSink
{
    private readonly SsrcTable<ProducerLayer> _bySsrc = new();
    private readonly SsrcTable<ProducerLayer> _byRtxSsrc = new();
    private readonly Participant _owner;
    private readonly MediaServices _services;

    /// <summary>
    /// The transport-wide sequence number's extension id on this transport: one id for every
    /// section of a BUNDLE group (RFC 8285 §6, RFC 9143 §7.2.2), so a packet on any SSRC is read
    /// with it. 0 until a published track negotiated it.
    /// </summary>
    private volatile byte _transportCcId;

    public ParticipantMedia(Participant owner, MediaServices services)
    {
        _owner = owner;
        _services = services;
        Feedback = new TransportFeedback(
            owner.Transport,
            owner.RtcpSsrc,
            owner.Cname,
            services.MaxVideoBitrate,
            services.Counters,
            services.Metrics,
            services.Time,
            services.Limits);
        DownTracks = new DownTrackContext(owner.Transport, services, Feedback.Downlink);
    }

    /// <summary>The RTCP side of this participant's transport.</summary>
    public TransportFeedback Feedback { get; }

    /// <summary>What this participant's down-tracks share.</summary>
    public DownTrackContext DownTracks { get; }

    /// <summary>Receives a producer's layers whose SSRCs are known (the rest are learnt from packets).</summary>
    public void Add(Producer producer)
    {
        if (producer.TransportCcExtensionId != 0)
        {
            _transportCcId = producer.TransportCcExtensionId;
        }

        foreach (ProducerLayer layer in producer.Layers)
        {
            if (layer.Stream is { } stream)
            {
                Index(layer, stream);
            }
        }
    }

    public void Remove(Producer producer)
    {
        foreach (ProducerLayer layer in producer.Layers)
        {
            if (layer.Stream is not { } stream)
            {
                continue;
            }

            _bySsrc.Remove(stream.Ssrc, layer);
            if (stream.RtxSsrc is uint rtx)
            {
                _byRtxSsrc.Remove(rtx, layer);
            }

            Feedback.Streams.Remove(stream);
        }
    }

    public void Add(DownTrack downTrack) => Feedback.Streams.Add(downTrack);

    public void Remove(DownTrack downTrack) => Feedback.Streams.Remove(downTrack);

    public void OnRtp(ReadOnlySpan<byte> packet, in RtpPacket view, Span<byte> scratch)
    {
        long now = _services.Time.GetTimestamp();
        CountArrival(view, now);
        if (_bySsrc.TryGetValue(view.Ssrc, out ProducerLayer? layer) || (layer = LearnSsrc(view, now)) is not null)
        {
            Producer producer = layer.Owner;
            _services.Counters.RtpReceived(producer.Kind, packet.Length);
            producer.OnPacket(layer, packet, view, now, scratch);
            Feedback.Nacks.OnPacket(layer.Stream!, now);
            _services.Metrics?.OnForwarded();
            return;
        }

        // RTX (RFC 4588): the answer to one of our NACKs, or a bandwidth probe.
        if (!_byRtxSsrc.TryGetValue(view.Ssrc, out layer) && (layer = LearnRtxSsrc(view)) is null)
        {
            _services.Counters.Dropped(DropReason.UnknownSsrc);
            NoteUnknown(view);
            return;
        }

        switch (layer.Stream!.TryRepair(view, out Span<byte> restored))
        {
            case RepairOutcome.Restored when RtpPacket.TryParse(restored, out RtpPacket original) == RtpParseResult.Ok:
                _services.Counters.Repaired();
                layer.Owner.OnRepaired(layer, restored, original, now, scratch);
                break;
            case RepairOutcome.Malformed:
                _services.Counters.Dropped(DropReason.Malformed);
                break;
            default:
                break;
        }
    }

    public void OnRtcp(ReadOnlySpan<byte> compound, Span<byte> scratch)
    {
        Feedback.OnRtcp(compound, scratch);
        if (!_owner.Room.RelayLinks.IsEmpty)
        {
            RelaySenderReports(compound);
        }
    }

    /// <summary>
    /// The publisher's sender reports on the tracks the relay carries (one per simulcast layer)
    /// go with them to the nodes that receive them, unchanged: their RTP timestamps are the
    /// relayed packets' own, so each node's subscribers get reports tied to the publisher's
    /// clocks (RFC 3550 §6.4.1), for lip sync.
    /// </summary>
    private void RelaySenderReports(ReadOnlySpan<byte> compound)
    {
        if (RtcpCompoundReader.TryCreate(compound, out RtcpCompoundReader reader) != RtcpParseResult.Ok)
        {
            return;
        }

        foreach (RtcpPacket packet in reader)
        {
            if (packet.Header.PacketType != RtcpPacketType.SenderReport
                || !SenderReport.TryParse(packet.Data, out SenderReport report)
                || !_bySsrc.TryGetValue(report.Ssrc, out ProducerLayer? layer))
            {
                continue;
            }

            foreach (RelayLink link in layer.RelayTargets)
            {
                _ = link.SendRtcp(packet.Data);
            }
        }
    }

    /// <summary>DTLS is up: every video this participant receives needs a keyframe to start.</summary>
    public static void OnConnected(IEnumerable<DownTrack> downTracks)
    {
        foreach (DownTrack downTrack in downTracks)
        {
            if (downTrack.IsActive)
            {
                downTrack.RequestStartKeyframe();
            }
        }
    }

    /// <summary>
    /// Every packet of the transport that carries a transport-wide sequence number goes into the
    /// publisher's feedback, whatever its SSRC: retransmissions, padding-only probes, and a
    /// simulcast layer's packets before its SSRC is learnt or when it is never learnt. Left out,
    /// they read as lost to the sender (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1),
    /// and a bandwidth probe made of them fails.
    /// </summary>
    private void CountArrival(in RtpPacket view, long now)
    {
        byte id = _transportCcId;
        if (id != 0 && view.TryGetExtension(id, out ReadOnlySpan<byte> value) && value.Length >= 2)
        {
            Feedback.TransportCc.OnPacket(BinaryPrimitives.ReadUInt16BigEndian(value), view.Ssrc, now);
        }
    }

    /// <summary>
    /// A packet on an SSRC nobody announced: the first of a simulcast layer when it carries the
    /// rid of a layer not bound yet (RFC 8852 §3.1), or, without a rid, the track's mid when that
    /// layer is the only one left (<see cref="LastLayerByMid"/>). Anything else stays unknown.
    /// </summary>
    private ProducerLayer? LearnSsrc(in RtpPacket view, long now)
    {
        ProducerLayer? layer = LayerByRid(view, repaired: false) ?? LastLayerByMid(view, now);
        if (layer is null || layer.Stream is not null || _bySsrc.ContainsKey(view.Ssrc) || _byRtxSsrc.ContainsKey(view.Ssrc))
        {
            return null;
        }

        var stream = new RtpReceiveStream(layer.Owner.Track.StreamParameters(view.Ssrc, null), _services.Time, _services.Retransmissions);
        layer.Bind(stream, _owner.KeyframeRequesterFor(view.Ssrc));
        Index(layer, stream);
        return layer;
    }

    /// <summary>
    /// The first retransmission of a simulcast layer: bound to it by its repaired-rtp-stream-id
    /// (RFC 8852 §3.2), or, without one, by the track's mid when that layer is the only one left
    /// (<see cref="LastRtxLayerByMid"/>).
    /// </summary>
    private ProducerLayer? LearnRtxSsrc(in RtpPacket view)
    {
        ProducerLayer? layer = LayerByRid(view, repaired: true) ?? LastRtxLayerByMid(view);
        if (layer?.Stream is not { RtxSsrc: null } stream || _bySsrc.ContainsKey(view.Ssrc))
        {
            return null;
        }

        stream.BindRtx(view.Ssrc);
        _byRtxSsrc.Set(view.Ssrc, layer);
        return layer;
    }

    /// <summary>What packets on SSRCs no layer owns carried (<see cref="UnknownSsrcLog"/>).</summary>
    public UnknownSsrcLog Unknown { get; } = new();

    private void NoteUnknown(in RtpPacket view)
    {
        byte rid = 0;
        byte mid = 0;
        foreach (Producer producer in _owner.Producers)
        {
            if (producer.IsSimulcast && !producer.IsClosed)
            {
                rid = producer.RidExtensionId;
                mid = producer.MidExtensionId;
                break;
            }
        }

        Unknown.Note(view, rid, mid);
    }

    /// <summary>The layer of one of this participant's simulcast tracks whose rid the packet carries.</summary>
    private ProducerLayer? LayerByRid(in RtpPacket view, bool repaired)
    {
        ImmutableArray<Producer> producers = _owner.Producers;
        foreach (Producer producer in producers)
        {
            byte id = repaired ? producer.RepairedRidExtensionId : producer.RidExtensionId;
            if (!producer.IsSimulcast || producer.IsClosed || id == 0 || !view.TryGetExtension(id, out ReadOnlySpan<byte> rid))
            {
                continue;
            }

            // Two simulcast tracks (camera and screen) use the same rids: the mid tells them apart.
            if (producer.MidExtensionId != 0 && view.TryGetExtension(producer.MidExtensionId, out ReadOnlySpan<byte> mid)
                && !mid.SequenceEqual(producer.MidBytes))
            {
                continue;
            }

            foreach (ProducerLayer layer in producer.Layers)
            {
                if (rid.SequenceEqual(layer.RidBytes))
                {
                    return layer;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A packet of a simulcast track's media (its mid, its codec's payload type) without a rid,
    /// on an SSRC no layer owns: the track's one unbound layer, when every other layer is bound
    /// and live. A sender may leave the rid out once it believes the SSRC is known (libwebrtc
    /// does after an RTCP report acknowledges it), so if the packets that had it were missed, a
    /// layer would otherwise stay unbound for the whole call: Firefox was seen sending its top
    /// layer with the mid alone, and its subscribers never got past the lower one. With the other
    /// layers live on their own SSRCs the packet cannot be theirs (a layer that moved to a new
    /// SSRC stops on the old one, and then this waits until it is live again).
    /// </summary>
    private ProducerLayer? LastLayerByMid(in RtpPacket view, long now)
    {
        if (SimulcastTrackByMidAlone(view, repaired: false) is not { } producer)
        {
            return null;
        }

        ProducerLayer? unbound = null;
        foreach (ProducerLayer layer in producer.Layers)
        {
            if (layer.Stream is null)
            {
                if (unbound is not null)
                {
                    return null;
                }

                unbound = layer;
            }
            else if (!layer.IsLive(now))
            {
                return null;
            }
        }

        return unbound;
    }

    /// <summary>
    /// A retransmission of a simulcast track (its mid, the codec's RTX payload type) without a
    /// repaired rid, on an SSRC nothing owns: the one layer whose media is bound but whose RTX is
    /// not, when every layer's media is bound and every other layer's RTX too. The sender drops
    /// the repaired rid as it drops the rid (<see cref="LastLayerByMid"/>); Firefox was seen
    /// sending its top layer's RTX with the mid alone.
    /// </summary>
    private ProducerLayer? LastRtxLayerByMid(in RtpPacket view)
    {
        if (SimulcastTrackByMidAlone(view, repaired: true) is not { } producer)
        {
            return null;
        }

        ProducerLayer? unbound = null;
        foreach (ProducerLayer layer in producer.Layers)
        {
            if (layer.Stream is null)
            {
                return null;
            }

            if (layer.Stream.RtxSsrc is null)
            {
                if (unbound is not null)
                {
                    return null;
                }

                unbound = layer;
            }
        }

        return unbound;
    }

    /// <summary>
    /// The open simulcast track whose mid the packet carries, when the packet has the track's
    /// codec payload type (<paramref name="repaired"/>: its RTX payload type) and no rid
    /// (repaired rid) to say the layer.
    /// </summary>
    private Producer? SimulcastTrackByMidAlone(in RtpPacket view, bool repaired)
    {
        foreach (Producer producer in _owner.Producers)
        {
            byte? payloadType = repaired ? producer.Codec.RtxPayloadType : producer.Codec.PayloadType;
            byte ridId = repaired ? producer.RepairedRidExtensionId : producer.RidExtensionId;
            if (producer.IsSimulcast && !producer.IsClosed && producer.MidExtensionId != 0
                && view.PayloadType == payloadType
                && (ridId == 0 || !view.TryGetExtension(ridId, out _))
                && view.TryGetExtension(producer.MidExtensionId, out ReadOnlySpan<byte> mid)
                && mid.SequenceEqual(producer.MidBytes))
            {
                return producer;
            }
        }

        return null;
    }

    private void Index(ProducerLayer layer, RtpReceiveStream stream)
    {
        _bySsrc.Set(stream.Ssrc, layer);
        if (stream.RtxSsrc is uint rtx)
        {
            _byRtxSsrc.Set(rtx, layer);
        }

        Feedback.Streams.Add(stream);
    }
}
