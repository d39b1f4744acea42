using System.Collections.Immutable;
using Sfu.Core.Feedback;
using Sfu.Core.Negotiation;
using Sfu.Core.Relay;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// One published track (mediasoup's Producer): its layers as received — one, or one per
/// simulcast stream — and the down-tracks it fans out to. The down-track list is an immutable
/// snapshot swapped under the room's lock, so the packet path reads it once per packet without
/// a lock; a closed producer takes no new down-tracks, so a subscription racing the publisher's
/// departure cannot attach to it. Which layers anyone still needs is its
/// <see cref="LayerDemand"/>'s to say.
/// </summary>
public sealed class Producer
{
    private readonly bool _isRemote;
    private ImmutableArray<DownTrack> _downTracks = [];
    private volatile bool _closed;
    private int _layerSizeVersion;
    private IRtcpSender? _upstream;
    private uint _upstreamSsrc;
    private long _relayNacksSent;

    internal Producer(IPublisher owner, PublishedTrack track, TimeProvider time)
    {
        Owner = owner;
        _isRemote = owner is RemotePublisher;
        Track = track;
        Mid = track.Mid;
        Kind = track.Kind;
        TrackId = track.TrackId;
        Codec = track.Codec;
        Extensions = track.Extensions;
        AudioLevel = AudioLevelMeterFor(track);
        RidExtensionId = track.ExtensionId(MediaCapabilities.RtpStreamIdUri);
        MidExtensionId = track.ExtensionId(MediaCapabilities.MidUri);
        TransportCcExtensionId = track.ExtensionId(MediaCapabilities.TransportCcUri);
        MidBytes = System.Text.Encoding.ASCII.GetBytes(track.Mid);
        RepairedRidExtensionId = track.ExtensionId(MediaCapabilities.RepairedRtpStreamIdUri);
        Layers = track.IsSimulcast
            ? [.. track.Rids!.Select((rid, index) => new ProducerLayer(this, index, rid, time))]
            : [new ProducerLayer(this, 0, null, time)];
        Demand = new LayerDemand(this, time);
    }

    /// <summary>Who publishes it: a participant on this node, or a <see cref="RemotePublisher"/> whose packets the relay brings.</summary>
    public IPublisher Owner { get; }

    /// <summary>Published on another node and fed by the relay: forwarded here, never relayed on.</summary>
    public bool IsRemote => _isRemote;

    public string Mid { get; }

    public MediaKind Kind { get; }

    /// <summary>The SSRC of the first layer, 0 while simulcast SSRCs are not yet learnt.</summary>
    public uint Ssrc => Layers[0].Stream?.Ssrc ?? 0;

    public uint? RtxSsrc => Layers[0].Stream?.RtxSsrc;

    public string TrackId { get; }

    /// <summary>The a=msid stream id subscribers see: the owner's id groups its tracks.</summary>
    public string StreamId => Owner.Id;

    /// <summary>The one codec the publisher was asked to send (our answer offers exactly one).</summary>
    public CodecDescription Codec { get; }

    /// <summary>The publisher's header-extension ids by URI.</summary>
    public IReadOnlyList<ExtensionDescription> Extensions { get; }

    /// <summary>The layers, lowest first: one, or one per simulcast rid.</summary>
    public ImmutableArray<ProducerLayer> Layers { get; }

    public bool IsSimulcast => Track.IsSimulcast;

    /// <summary>The highest layer whose stream exists: what statistics about "the track" describe.</summary>
    public RtpReceiveStream? Stream
    {
        get
        {
            for (int i = Layers.Length - 1; i >= 0; i--)
            {
                if (Layers[i].Stream is { } stream)
                {
                    return stream;
                }
            }

            return null;
        }
    }

    /// <summary>Loss, jitter and SR timing of the highest layer received, for the admin view.</summary>
    public ReceiveStatistics? Statistics => Stream?.Statistics;

    /// <summary>The RFC 6464 level of an audio track that negotiated the extension, else null.</summary>
    public AudioLevelMeter? AudioLevel { get; }

    public ImmutableArray<DownTrack> DownTracks => _downTracks;

    public long PacketsReceived => Layers.Sum(l => l.Stream?.PacketsReceived ?? 0);

    public long BytesReceived => Layers.Sum(l => l.Stream?.BytesReceived ?? 0);

    public bool IsClosed => _closed;

    /// <summary>Which layers subscribers need, and which the publisher is asked to send.</summary>
    public LayerDemand Demand { get; }

    internal PublishedTrack Track { get; }

    /// <summary>The publisher's id for the rtp-stream-id extension (RFC 8852), 0 when not negotiated.</summary>
    internal byte RidExtensionId { get; }

    /// <summary>The publisher's id for the transport-wide sequence number, 0 when not negotiated.</summary>
    internal byte TransportCcExtensionId { get; }

    /// <summary>The publisher's id for the sdes:mid extension (RFC 8843 §15.2), 0 when not negotiated.</summary>
    internal byte MidExtensionId { get; }

    internal byte[] MidBytes { get; }

    /// <summary>The publisher's id for the repaired-rtp-stream-id extension, 0 when not negotiated.</summary>
    internal byte RepairedRidExtensionId { get; }

    /// <summary>Changes whenever a layer's keyframes declare a new size, so down-tracks re-pick their layer.</summary>
    internal int LayerSizeVersion => Volatile.Read(ref _layerSizeVersion);

    /// <summary>
    /// One packet of one layer: into the layer's receive stream, then to every down-track.
    /// Media path; the packet stays in the receive buffer and each subscriber's copy is
    /// written into <paramref name="scratch"/>.
    /// </summary>
    internal void OnPacket(ProducerLayer layer, ReadOnlySpan<byte> packet, in RtpPacket view, long now, Span<byte> scratch)
    {
        bool isKeyframe = layer.OnPacket(packet, view, now);
        FanOut(layer, packet, view, isKeyframe, now, scratch);
    }

    /// <summary>A packet lost on the publisher's uplink, restored from its retransmission. Media path.</summary>
    internal void OnRepaired(ProducerLayer layer, ReadOnlySpan<byte> packet, in RtpPacket view, long now, Span<byte> scratch)
        => FanOut(layer, packet, view, layer.Stream!.IsKeyframe(view), now, scratch);

    /// <summary>
    /// One packet of a track published on another node, as the relay link from that node
    /// delivered it (authenticated and decrypted, the publisher's SSRC, numbering, timestamps and
    /// payload type untouched). It enters the room as a local publisher's packet would: into the
    /// receive stream of the layer its SSRC names (so NACKs from subscribers here are answered
    /// from this node's own buffer), then to every down-track, under the room's media gate.
    /// Relay receive thread.
    /// </summary>
    /// <returns>False when the packet is not this track's (no layer on its SSRC, unparsable) or the track ended.</returns>
    public bool OnRelayed(ReadOnlySpan<byte> packet, long now, Span<byte> scratch)
    {
        if (!_isRemote || _closed || RtpPacket.TryParse(packet, out RtpPacket view) != RtpParseResult.Ok
            || LayerOf(view.Ssrc) is not { } layer)
        {
            return false;
        }

        lock (Owner.Room.MediaGate)
        {
            OnPacket(layer, packet, view, now, scratch);
            if (_upstream is { } upstream && NackRequester.SendDue(layer.Stream!, upstream, _upstreamSsrc, now))
            {
                Interlocked.Increment(ref _relayNacksSent);
            }
        }

        return true;
    }

    /// <summary>
    /// NACKs this node sent to the track's node for relayed packets that never arrived here
    /// (a remote track only): what this node's buffer cannot give its subscribers is asked for
    /// where the track comes from, hop by hop, as this node asks a local publisher.
    /// </summary>
    public long RelayNacksSent => Interlocked.Read(ref _relayNacksSent);

    /// <summary>
    /// This node starts wanting layer <paramref name="index"/> of a remote track again: the
    /// packets its node did not send meanwhile are not loss to ask for. Any thread.
    /// </summary>
    public void OnRelayResumed(int index)
    {
        if (!_isRemote || (uint)index >= (uint)Layers.Length)
        {
            return;
        }

        lock (Owner.Room.MediaGate)
        {
            Layers[index].Stream?.Nacks?.Restart();
        }
    }

    /// <summary>
    /// A remote node's NACK for packets of one of this track's layers it never got: answered
    /// from this node's buffer over <paramref name="link"/> only, as the packets were first sent,
    /// and only when that node receives the layer. At most <see cref="NackResponder.MaxResendsPerNack"/>
    /// packets per NACK. Relay receive thread.
    /// </summary>
    /// <returns>The packets resent.</returns>
    public int ResendOverRelay(RelayLink link, GenericNack nack, Span<byte> scratch)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (_isRemote || _closed || LayerOf(nack.MediaSsrc) is not { } layer || !layer.RelayTargets.Contains(link))
        {
            return 0;
        }

        int resent = 0;
        lock (Owner.Room.MediaGate)
        {
            if (layer.Stream?.Retransmissions is not { } buffer)
            {
                return 0;
            }

            foreach (ushort sequenceNumber in nack.LostSequenceNumbers)
            {
                if (resent == NackResponder.MaxResendsPerNack)
                {
                    break;
                }

                if (buffer.TryGet(sequenceNumber, out ReadOnlySpan<byte> packet) && layer.RelayTo(link, packet, scratch))
                {
                    resent++;
                }
            }
        }

        return resent;
    }

    /// <summary>
    /// The nodes that want layer <paramref name="index"/> of this track (published here) now:
    /// its packets go to exactly these. When the layer goes from wanted somewhere to wanted
    /// nowhere or back, dynacast looks again, so a layer only other nodes watch is not paused at
    /// the publisher. Any thread.
    /// </summary>
    public void SetRelayTargets(int index, ImmutableArray<RelayLink> links)
    {
        if (_isRemote || (uint)index >= (uint)Layers.Length)
        {
            return;
        }

        ProducerLayer layer = Layers[index];
        bool wasWanted = !layer.RelayTargets.IsEmpty;
        layer.RelayTargets = links;
        if (wasWanted != !links.IsEmpty)
        {
            UpdateDemand();
        }
    }

    /// <summary>Keyframe requests and NACKs of a remote track go to <paramref name="upstream"/>, from <paramref name="ssrc"/>.</summary>
    internal void SetUpstream(IRtcpSender upstream, uint ssrc)
    {
        _upstreamSsrc = ssrc;
        Volatile.Write(ref _upstream, upstream);
    }

    /// <summary>
    /// A sender report the publisher sent its node on one of this track's SSRCs, relayed from
    /// there: it times the reports this node writes to the layer's subscribers. Relay receive thread.
    /// </summary>
    public void OnRelayedSenderReport(uint ssrc, ulong ntpTimestamp, uint rtpTimestamp, long now)
    {
        if (!_isRemote || _closed || LayerOf(ssrc)?.Stream is not { } stream)
        {
            return;
        }

        lock (Owner.Room.MediaGate)
        {
            stream.OnSenderReport(ntpTimestamp, rtpTimestamp, now);
        }
    }

    /// <summary>The layer whose stream is on <paramref name="ssrc"/>, null when none is (yet).</summary>
    private ProducerLayer? LayerOf(uint ssrc)
    {
        foreach (ProducerLayer layer in Layers)
        {
            if (layer.Stream?.Ssrc == ssrc)
            {
                return layer;
            }
        }

        return null;
    }

    private void FanOut(ProducerLayer layer, ReadOnlySpan<byte> packet, in RtpPacket view, bool isKeyframe, long now, Span<byte> scratch)
    {
        AudioLevel?.Observe(view);
        uint live = LiveLayers(now);
        ImmutableArray<DownTrack> downTracks = _downTracks;
        for (int i = 0; i < downTracks.Length; i++)
        {
            // Each subscriber's state is out of the cache by its next packet: load the next
            // ones' while this one's copy is encrypted, one level of references per turn.
            if (i + 4 < downTracks.Length)
            {
                CachePrefetch.Object(downTracks[i + 4], 128);
            }

            if (i + 3 < downTracks.Length)
            {
                downTracks[i + 3].Prefetch(1);
            }

            if (i + 2 < downTracks.Length)
            {
                downTracks[i + 2].Prefetch(2);
            }

            if (i + 1 < downTracks.Length)
            {
                downTracks[i + 1].Prefetch(3);
            }

            downTracks[i].Send(layer, packet, view, isKeyframe, live, now, scratch);
        }

        if (!_isRemote)
        {
            Relay(layer, packet, scratch);
        }
    }

    /// <summary>
    /// Sends the packet as received (a simulcast layer's on that layer's SSRC), once to each node
    /// whose subscribers want this layer, and to no other; each node rewrites it for its own
    /// subscribers. The down-tracks are done with <paramref name="scratch"/> by now, and each
    /// link protects its copy in place there.
    /// </summary>
    private static void Relay(ProducerLayer layer, ReadOnlySpan<byte> packet, Span<byte> scratch)
    {
        ImmutableArray<RelayLink> links = layer.RelayTargets;
        foreach (RelayLink link in links)
        {
            _ = layer.RelayTo(link, packet, scratch);
        }
    }

    /// <summary>Bit i set when layer i arrives: the layers a down-track can switch to.</summary>
    private uint LiveLayers(long now)
    {
        ImmutableArray<ProducerLayer> layers = Layers;
        if (layers.Length == 1)
        {
            return 1;
        }

        uint live = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            if (layers[i].IsLive(now))
            {
                live |= 1u << i;
            }
        }

        return live;
    }

    internal void OnLayerSizeChanged() => Interlocked.Increment(ref _layerSizeVersion);

    /// <summary>
    /// Re-evaluates which layers anyone needs and, when that changed, tells the publisher which
    /// to keep sending. On the housekeeping tick and after a subscriber's wish changed.
    /// </summary>
    internal void UpdateDemand()
    {
        if (!_closed && Demand.Update(out IReadOnlyList<string> activeRids) && Owner is Participant publisher)
        {
            publisher.OnLayersChanged(this, activeRids);
        }
    }

    /// <summary>Adds a subscriber's down-track; false once the producer is closed. Under the room's lock.</summary>
    internal bool TryAddDownTrack(DownTrack downTrack)
    {
        if (_closed)
        {
            return false;
        }

        _downTracks = _downTracks.Add(downTrack);
        return true;
    }

    /// <summary>Under the room's lock.</summary>
    internal void RemoveDownTrack(DownTrack downTrack) => _downTracks = _downTracks.Remove(downTrack);

    /// <summary>Ends the track: returns its down-tracks, which the caller ends at their subscribers. Under the room's lock.</summary>
    internal ImmutableArray<DownTrack> Close()
    {
        _closed = true;
        foreach (ProducerLayer layer in Layers)
        {
            layer.Stream?.Release();
        }

        ImmutableArray<DownTrack> all = _downTracks;
        _downTracks = [];
        return all;
    }

    private static AudioLevelMeter? AudioLevelMeterFor(PublishedTrack track)
    {
        if (track.Kind != MediaKind.Audio)
        {
            return null;
        }

        byte id = track.ExtensionId(MediaCapabilities.AudioLevelUri);
        return id == 0 ? null : new AudioLevelMeter(id);
    }
}
