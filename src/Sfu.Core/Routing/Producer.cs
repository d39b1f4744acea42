using System.Collections.Immutable;
using Sfu.Core.Negotiation;
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
public sealed partial class Producer
{
    private readonly bool _isRemote;

    /// <summary>Where a fan-out to many subscribers is split over cores; null: always one loop.</summary>
    private readonly FanOutWorkers? _workers;
    private ImmutableArray<DownTrack> _downTracks = [];
    private volatile bool _closed;
    private int _layerSizeVersion;
    private IRtcpSender? _upstream;
    private uint _upstreamSsrc;
    private long _relayNacksSent;
    private long _relayRepairs;
    private long _nacksForwarded;
    private long _forwardedResends;

    internal Producer(IPublisher owner, PublishedTrack track, TimeProvider time)
    {
        Owner = owner;
        _workers = owner.Room.FanOut;
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

    private void FanOut(ProducerLayer layer, ReadOnlySpan<byte> packet, in RtpPacket view, bool isKeyframe, long now, Span<byte> scratch)
    {
        AudioLevel?.Observe(view);
        uint live = LiveLayers(now);
        ImmutableArray<DownTrack> downTracks = _downTracks;
        if (_workers is null || !_workers.TryFanOut(layer, packet, view, isKeyframe, live, now, scratch, downTracks))
        {
            Send(layer, packet, view, isKeyframe, live, now, scratch, downTracks, 0, downTracks.Length);
        }

        if (!_isRemote)
        {
            Relay(layer, packet, scratch);
        }
    }

    /// <summary>
    /// The copies for down-tracks [<paramref name="start"/>, <paramref name="end"/>): all of them,
    /// or one shard of a split fan-out (<see cref="FanOutWorkers"/>). Media path.
    /// </summary>
    internal static void Send(ProducerLayer layer, ReadOnlySpan<byte> packet, in RtpPacket view, bool isKeyframe, uint live, long now, Span<byte> scratch, ImmutableArray<DownTrack> downTracks, int start, int end)
    {
        if (start >= end)
        {
            return;
        }

        int packets = 0;
        long bytes = 0;
        for (int i = start; i < end; i++)
        {
            // Each subscriber's state is out of the cache by its next packet: load the next
            // ones' while this one's copy is encrypted, one level of references per turn.
            if (i + 5 < end)
            {
                // Its fields and the start of its extension-id map (one-byte ids 1-14) lie in
                // the first four lines; the rest of the map is read only for two-byte ids.
                CachePrefetch.Object(downTracks[i + 5], 256);
            }

            if (i + 4 < end)
            {
                downTracks[i + 4].Prefetch(1);
            }

            if (i + 3 < end)
            {
                downTracks[i + 3].Prefetch(2);
            }

            if (i + 2 < end)
            {
                downTracks[i + 2].Prefetch(3);
            }

            if (i + 1 < end)
            {
                downTracks[i + 1].Prefetch(4);
            }

            downTracks[i].Prefetch(5);
            int sent = downTracks[i].Send(layer, packet, view, isKeyframe, live, now, scratch);
            if (sent > 0)
            {
                packets++;
                bytes += sent;
            }
        }

        DownTrack first = downTracks[start];
        first.Counters.RtpForwarded(first.Source.Kind, packets, bytes);
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
