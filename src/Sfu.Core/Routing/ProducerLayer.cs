using System.Collections.Immutable;
using System.Text;
using Sfu.Core.Diagnostics;
using Sfu.Core.Feedback;
using Sfu.Core.Relay;
using Sfu.Core.Rtp;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// One encoding of a published track: the whole track when it is not simulcast, else one of
/// its simulcast streams (RFC 8853), by rid, lowest resolution first. Its receive stream exists
/// once its SSRC is known (from a=ssrc, or from the first packet carrying its rid), and it
/// remembers what forwarding needs to choose between layers: when a packet last arrived, the
/// size its keyframes declare, its recent bitrate, and whether the publisher is asked to send it.
/// </summary>
public sealed class ProducerLayer
{
    /// <summary>A layer with no packet for this long is taken as stopped (the publisher dropped it, or its uplink did).</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromMilliseconds(250);

    private readonly long _stallTicks;
    private readonly LayerBitrate _bitrate;
    private RtpReceiveStream? _stream;
    private KeyframeRequester? _keyframes;
    private long _lastArrival = long.MinValue;
    private int _width;
    private int _height;
    private volatile bool _active = true;
    private ImmutableArray<RelayLink> _relayTargets = [];
    private long _packetsRelayed;

    internal ProducerLayer(Producer owner, int index, string? rid, TimeProvider time)
    {
        Owner = owner;
        Index = index;
        Rid = rid;
        RidBytes = rid is null ? [] : Encoding.ASCII.GetBytes(rid);
        _stallTicks = (long)(StallAfter.TotalSeconds * time.TimestampFrequency);
        _bitrate = new LayerBitrate(time.TimestampFrequency);
    }

    public Producer Owner { get; }

    /// <summary>0 for the lowest; also the source id of this layer in a down-track's numbering.</summary>
    public int Index { get; }

    /// <summary>The rid (RFC 8851) of a simulcast layer, null for a track without simulcast.</summary>
    public string? Rid { get; }

    /// <summary>The stream, once its SSRC is known.</summary>
    public RtpReceiveStream? Stream => Volatile.Read(ref _stream);

    /// <summary>The width its last keyframe declared, 0 while unknown.</summary>
    public int Width => Volatile.Read(ref _width);

    /// <summary>The height its last keyframe declared, 0 while unknown.</summary>
    public int Height => Volatile.Read(ref _height);

    /// <summary>Bits per second over the last full second the layer flowed (<see cref="LayerBitrate"/>).</summary>
    public long Bitrate => _bitrate.BitsPerSecond;

    /// <summary>False while the publisher is told nobody needs this layer (dynacast).</summary>
    public bool IsActive => _active;

    /// <summary>
    /// The links to the nodes whose subscribers want this layer of a track published here: its
    /// packets go once to each, and to no other node. Set by the cluster's relay bookkeeping from
    /// what those nodes tell (<see cref="RelayInterest"/>); read once per packet without a lock
    /// (an immutable array swapped whole).
    /// </summary>
    public ImmutableArray<RelayLink> RelayTargets
    {
        get => _relayTargets;
        internal set => _relayTargets = value;
    }

    /// <summary>Copies of this layer's packets sent over relay links, retransmissions included. Any thread.</summary>
    public long PacketsRelayed => Volatile.Read(ref _packetsRelayed);

    internal byte[] RidBytes { get; }

    /// <summary>True when a packet arrived within <see cref="StallAfter"/> of <paramref name="now"/>.</summary>
    public bool IsLive(long now)
    {
        long last = Volatile.Read(ref _lastArrival);
        return last != long.MinValue && now - last < _stallTicks;
    }

    /// <summary>Asks the publisher for a keyframe of this layer, at most once per interval. Any thread.</summary>
    public bool RequestKeyframe(TimeSpan minInterval, KeyframeRequestReason reason) => _keyframes?.Request(minInterval, reason) ?? false;

    internal void Bind(RtpReceiveStream stream, KeyframeRequester keyframes)
    {
        Volatile.Write(ref _keyframes, keyframes);
        Volatile.Write(ref _stream, stream);
        if (Owner.IsClosed)
        {
            // Learnt from a packet that raced the track's end: nothing of it is kept.
            stream.Release();
        }
    }

    internal void SetActive(bool active) => _active = active;

    /// <summary>Sends one of this layer's packets (as received) to <paramref name="link"/>, protected in place in <paramref name="scratch"/>. Media path.</summary>
    internal bool RelayTo(RelayLink link, ReadOnlySpan<byte> packet, Span<byte> scratch)
    {
        packet.CopyTo(scratch);
        if (!link.SendRtp(scratch, packet.Length))
        {
            return false;
        }

        Volatile.Write(ref _packetsRelayed, _packetsRelayed + 1);
        return true;
    }

    /// <summary>One packet of this layer arrived. Media path.</summary>
    internal bool OnPacket(ReadOnlySpan<byte> packet, in RtpPacket view, long now)
    {
        Volatile.Write(ref _lastArrival, now);
        _bitrate.Add(packet.Length, now);

        RtpReceiveStream stream = _stream!;
        bool isKeyframe = stream.OnPacket(packet, view, now);
        if (isKeyframe && stream.Parameters.VideoCodec == VideoCodecKind.Vp8
            && Vp8Descriptor.TryGetKeyframeSize(view.Payload, out int width, out int height)
            && (width != _width || height != _height))
        {
            Volatile.Write(ref _width, width);
            Volatile.Write(ref _height, height);
            Owner.OnLayerSizeChanged();
        }

        return isKeyframe;
    }
}
