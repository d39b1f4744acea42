using System.Collections.Immutable;
using System.Text;
using Sfu.Core.Diagnostics;
using Sfu.Core.Feedback;
using Sfu.Core.Relay;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;
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
    private ushort _relayRtxSequenceNumber;
    private readonly long _frequency;
    private ForwardedNacks? _forwardedNacks;

    internal ProducerLayer(Producer owner, int index, string? rid, TimeProvider time)
    {
        Owner = owner;
        Index = index;
        Rid = rid;
        RidBytes = rid is null ? [] : Encoding.ASCII.GetBytes(rid);
        _stallTicks = (long)(StallAfter.TotalSeconds * time.TimestampFrequency);
        _bitrate = new LayerBitrate(time.TimestampFrequency);
        _frequency = time.TimestampFrequency;
        if (!owner.IsRemote && owner.Kind == MediaKind.Video)
        {
            // RFC 3550 §8.1: a random SSRC, so it collides with no other in the session (the
            // receiving node refuses a listing that repeats one); RFC 4588 §4: its own numbering.
            RelayRtxSsrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
            _relayRtxSequenceNumber = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        }
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

    /// <summary>
    /// The SSRC this node resends a video layer published here on over the relay (RFC 4588 RTX),
    /// listed beside the layer's own for the other nodes; 0 for audio and for a remote track.
    /// </summary>
    public uint RelayRtxSsrc { get; }

    /// <summary>A relayed layer's subscriber NACKs waiting for the track's node to answer; null until the first. Media path.</summary>
    internal ForwardedNacks? ForwardedNacks => _forwardedNacks;

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

    /// <summary>
    /// A subscriber here NACKed a packet of this relayed layer that this node's buffer does not
    /// hold: it is asked of the track's node with the layer's next packet, unless this node
    /// asks for it already (lost on the relay: its resend then reaches every subscriber). Media path.
    /// </summary>
    internal void AskOrigin(DownTrack downTrack, ushort sequenceNumber, ushort outputSequenceNumber, uint timestampOffset, long now)
    {
        if (_stream is not { RtxSsrc: not null } stream || stream.Nacks?.IsMissing(sequenceNumber) == true)
        {
            return;
        }

        (_forwardedNacks ??= new ForwardedNacks(_frequency)).Add(downTrack, sequenceNumber, outputSequenceNumber, timestampOffset, now);
    }

    /// <summary>Sends one of this layer's packets (as received) to <paramref name="link"/>, protected in place in <paramref name="scratch"/>. Media path.</summary>
    internal bool RelayTo(RelayLink link, ReadOnlySpan<byte> packet, Span<byte> scratch)
    {
        packet.CopyTo(scratch);
        return Send(link, scratch, packet.Length);
    }

    /// <summary>
    /// Resends one of this layer's packets to <paramref name="link"/> as a retransmission
    /// (RFC 4588 §4) on <see cref="RelayRtxSsrc"/> with the next of its sequence numbers, written
    /// and protected in <paramref name="scratch"/>. Not as first sent: the other node may hold the
    /// packet already (a subscriber there missed it), and its SRTP replay check (RFC 3711 §3.3.2)
    /// drops a second packet on an SSRC and sequence number it received. Media path (the room's gate).
    /// </summary>
    internal bool RelayRetransmissionTo(RelayLink link, ReadOnlySpan<byte> packet, byte rtxPayloadType, Span<byte> scratch)
    {
        if (RelayRtxSsrc == 0 || RtpPacket.TryParse(packet, out RtpPacket view) != RtpParseResult.Ok)
        {
            return false;
        }

        int length = RtxPacket.TryWrap(view, RelayRtxSsrc, rtxPayloadType, _relayRtxSequenceNumber, scratch[..^SrtpContext.MaxRtpOverhead]);
        if (length < 0)
        {
            return false;
        }

        _relayRtxSequenceNumber++;
        return Send(link, scratch, length);
    }

    private bool Send(RelayLink link, Span<byte> buffer, int length)
    {
        if (!link.SendRtp(buffer, length))
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
