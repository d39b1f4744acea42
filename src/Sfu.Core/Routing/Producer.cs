using System.Collections.Immutable;
using Sfu.Core.Diagnostics;
using Sfu.Core.Negotiation;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// One published track: the publisher's RTP stream as received, and the down-tracks it fans
/// out to. The subscriber list is an immutable snapshot swapped on the signaling path, so the
/// packet path reads it once per packet without a lock.
/// </summary>
public sealed class Producer
{
    /// <summary>How long before a packet we asked for is asked for again, until the round-trip time is known.</summary>
    public static readonly TimeSpan NackRetryInterval = TimeSpan.FromMilliseconds(150);

    /// <summary>How long a lost packet is worth asking for: past this its frame is long due.</summary>
    public static readonly TimeSpan NackGiveUp = TimeSpan.FromSeconds(1);

    // Sequence numbers asked for in one NACK; the rest wait for the next packet.
    private const int MaxNackedPerPacket = 32;

    private readonly Lock _gate = new();
    private ImmutableArray<DownTrack> _downTracks = [];
    private long _lastKeyframeRequest = long.MinValue;
    private long _packets;
    private long _bytes;

    internal Producer(Participant owner, PublishedTrack track)
    {
        Owner = owner;
        Mid = track.Mid;
        Kind = track.Kind;
        Ssrc = track.Ssrc;
        RtxSsrc = track.RtxSsrc;
        TrackId = track.TrackId;
        Codec = track.Codec;
        Extensions = track.Extensions;
        VideoCodec = VideoCodecOf(track.Codec.Name);
        Statistics = new ReceiveStatistics(track.Codec.ClockRate, owner.Time);
        Retransmissions = track.Kind == MediaKind.Video ? new RetransmissionBuffer() : null;
        Nacks = track.Kind == MediaKind.Video ? new NackGenerator(owner.Time, NackRetryInterval, NackGiveUp) : null;
        RepairBuffer = track.Kind == MediaKind.Video && track.RtxSsrc is not null ? new byte[RetransmissionBuffer.SlotSize] : null;
        AudioLevel = AudioLevelMeterFor(track);
    }

    public Participant Owner { get; }

    public string Mid { get; }

    public MediaKind Kind { get; }

    public uint Ssrc { get; internal set; }

    public uint? RtxSsrc { get; }

    public string TrackId { get; }

    /// <summary>The a=msid stream id subscribers see: the owner's id groups its tracks.</summary>
    public string StreamId => Owner.Id;

    /// <summary>The one codec the publisher was asked to send (our answer offers exactly one).</summary>
    public CodecDescription Codec { get; }

    /// <summary>The publisher's header-extension ids by URI.</summary>
    public IReadOnlyList<ExtensionDescription> Extensions { get; }

    internal VideoCodecKind VideoCodec { get; }

    public ImmutableArray<DownTrack> DownTracks => _downTracks;

    /// <summary>Loss, jitter and SR timing of the publisher's stream, for our receiver reports.</summary>
    public ReceiveStatistics Statistics { get; }

    /// <summary>Recent video packets, to answer subscribers' NACKs; audio is not retransmitted.</summary>
    internal RetransmissionBuffer? Retransmissions { get; }

    /// <summary>What of the publisher's video went missing on its way to us, to NACK; audio is not repaired.</summary>
    internal NackGenerator? Nacks { get; }

    /// <summary>Where a packet restored from the publisher's RTX is rebuilt (video with RTX only).</summary>
    internal byte[]? RepairBuffer { get; }

    /// <summary>The RFC 6464 level of an audio track that negotiated the extension, else null.</summary>
    public AudioLevelMeter? AudioLevel { get; }

    public long PacketsReceived => Volatile.Read(ref _packets);

    public long BytesReceived => Volatile.Read(ref _bytes);

    /// <summary>
    /// Forwards one decrypted packet to every down-track. Runs on the receive loop; the
    /// packet stays in the receive buffer and each subscriber's copy is written into
    /// <paramref name="scratch"/>, rewritten and protected there.
    /// </summary>
    internal void Forward(ReadOnlySpan<byte> packet, in RtpPacket view, Span<byte> scratch, MediaCounters counters)
    {
        _packets++;
        _bytes += packet.Length;
        counters.RtpReceived(Kind, packet.Length);
        long now = Owner.Time.GetTimestamp();
        Statistics.OnPacket(view.SequenceNumber, view.Timestamp, now);
        if (Nacks is { } nacks)
        {
            nacks.OnPacket(view.SequenceNumber, now);
            if (nacks.MissingCount > 0)
            {
                SendNacks(nacks, now, counters);
            }
        }

        FanOut(packet, view, scratch, counters);
    }

    /// <summary>
    /// Forwards a packet lost on the publisher's uplink and restored from its retransmission,
    /// if we were still waiting for it (a publisher also resends old packets as bandwidth
    /// probes: those are duplicates and go nowhere). Receive loop only.
    /// </summary>
    internal void ForwardRepaired(ReadOnlySpan<byte> packet, in RtpPacket view, Span<byte> scratch, MediaCounters counters)
    {
        if (Nacks is not { } nacks || !nacks.Resolve(view.SequenceNumber))
        {
            return;
        }

        // Not fed to the statistics: the publisher's reports should show the loss its network
        // caused, and a late copy would distort the jitter.
        counters.Repaired();
        FanOut(packet, view, scratch, counters);
    }

    private void FanOut(ReadOnlySpan<byte> packet, in RtpPacket view, Span<byte> scratch, MediaCounters counters)
    {
        Retransmissions?.Store(view.SequenceNumber, packet);
        AudioLevel?.Observe(view);
        bool isKeyframe = Kind == MediaKind.Video && view.Payload.Length > 0
            && VideoKeyframe.IsKeyframe(view.Payload, VideoCodec);
        ImmutableArray<DownTrack> downTracks = _downTracks;
        foreach (DownTrack downTrack in downTracks)
        {
            downTrack.Send(packet, view, isKeyframe, scratch, counters);
        }
    }

    /// <summary>Asks the publisher again for what is missing and due (RFC 4585 §6.2.1 generic NACK).</summary>
    private void SendNacks(NackGenerator nacks, long now, MediaCounters counters)
    {
        Span<ushort> due = stackalloc ushort[MaxNackedPerPacket];
        int count = nacks.CollectDue(now, due);
        if (count == 0)
        {
            return;
        }

        Span<byte> nack = stackalloc byte[RtcpFeedback.MinimumSize + (GenericNack.FciSize * MaxNackedPerPacket)];
        int length = GenericNack.TryWrite(nack, Owner.RtcpSsrc, Ssrc, due[..count]);
        if (length > 0 && Owner.Transport.SendRtcp(nack[..length]))
        {
            counters.NackSent();
        }
    }

    /// <summary>
    /// Asks the publisher for a keyframe (RFC 4585 §6.3.1 PLI), at most once per interval
    /// however many subscribers ask.
    /// </summary>
    internal void RequestKeyframe(TimeProvider time, TimeSpan minInterval)
    {
        if (Kind != MediaKind.Video)
        {
            return;
        }

        long now = time.GetTimestamp();
        long last = Volatile.Read(ref _lastKeyframeRequest);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < minInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastKeyframeRequest, now, last) == last)
        {
            Owner.Transport.SendPictureLossIndication(Owner.RtcpSsrc, Ssrc);
        }
    }

    internal void AddDownTrack(DownTrack downTrack)
    {
        lock (_gate)
        {
            _downTracks = _downTracks.Add(downTrack);
        }
    }

    internal void RemoveDownTrack(DownTrack downTrack)
    {
        lock (_gate)
        {
            _downTracks = _downTracks.Remove(downTrack);
        }
    }

    internal ImmutableArray<DownTrack> DetachAll()
    {
        lock (_gate)
        {
            ImmutableArray<DownTrack> all = _downTracks;
            _downTracks = [];
            return all;
        }
    }

    private static AudioLevelMeter? AudioLevelMeterFor(PublishedTrack track)
    {
        if (track.Kind != MediaKind.Audio)
        {
            return null;
        }

        foreach (ExtensionDescription extension in track.Extensions)
        {
            if (string.Equals(extension.Uri, MediaCapabilities.AudioLevelUri, StringComparison.OrdinalIgnoreCase))
            {
                return new AudioLevelMeter(extension.Id);
            }
        }

        return null;
    }

    private static VideoCodecKind VideoCodecOf(string name) => name.ToUpperInvariant() switch
    {
        "VP8" => VideoCodecKind.Vp8,
        "H264" => VideoCodecKind.H264,
        _ => VideoCodecKind.Unknown,
    };
}
