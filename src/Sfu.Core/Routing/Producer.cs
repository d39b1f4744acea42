using System.Collections.Immutable;
using Sfu.Core.Feedback;
using Sfu.Core.Negotiation;
using Sfu.Core.Rtp;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// One published track (mediasoup's Producer): the publisher's stream as received and the
/// down-tracks it fans out to. The down-track list is an immutable snapshot swapped under the
/// room's lock, so the packet path reads it once per packet without a lock; a closed producer
/// takes no new down-tracks, so a subscription racing the publisher's departure cannot attach
/// to it.
/// </summary>
public sealed class Producer
{
    private ImmutableArray<DownTrack> _downTracks = [];
    private volatile bool _closed;

    internal Producer(Participant owner, PublishedTrack track, RtpReceiveStream stream, KeyframeRequester keyframes)
    {
        Owner = owner;
        Mid = track.Mid;
        Kind = track.Kind;
        TrackId = track.TrackId;
        Codec = track.Codec;
        Extensions = track.Extensions;
        Stream = stream;
        Keyframes = keyframes;
        AudioLevel = AudioLevelMeterFor(track);
    }

    public Participant Owner { get; }

    public string Mid { get; }

    public MediaKind Kind { get; }

    public uint Ssrc => Stream.Ssrc;

    public uint? RtxSsrc => Stream.RtxSsrc;

    public string TrackId { get; }

    /// <summary>The a=msid stream id subscribers see: the owner's id groups its tracks.</summary>
    public string StreamId => Owner.Id;

    /// <summary>The one codec the publisher was asked to send (our answer offers exactly one).</summary>
    public CodecDescription Codec { get; }

    /// <summary>The publisher's header-extension ids by URI.</summary>
    public IReadOnlyList<ExtensionDescription> Extensions { get; }

    /// <summary>The publisher's stream as we receive it: statistics, loss, recent packets, SR timing.</summary>
    public RtpReceiveStream Stream { get; }

    /// <summary>Loss, jitter and SR timing of the publisher's stream, for our receiver reports.</summary>
    public ReceiveStatistics Statistics => Stream.Statistics;

    /// <summary>The RFC 6464 level of an audio track that negotiated the extension, else null.</summary>
    public AudioLevelMeter? AudioLevel { get; }

    public ImmutableArray<DownTrack> DownTracks => _downTracks;

    public long PacketsReceived => Stream.PacketsReceived;

    public long BytesReceived => Stream.BytesReceived;

    public bool IsClosed => _closed;

    internal KeyframeRequester Keyframes { get; }

    /// <summary>
    /// One packet of the publisher's stream: into the receive stream, then to every
    /// down-track. Receive loop; the packet stays in the receive buffer and each subscriber's
    /// copy is written into <paramref name="scratch"/>.
    /// </summary>
    internal void OnPacket(ReadOnlySpan<byte> packet, in RtpPacket view, long now, Span<byte> scratch)
    {
        bool isKeyframe = Stream.OnPacket(packet, view, now);
        FanOut(packet, view, isKeyframe, scratch);
    }

    /// <summary>A packet lost on the publisher's uplink, restored from its retransmission. Receive loop.</summary>
    internal void OnRepaired(ReadOnlySpan<byte> packet, in RtpPacket view, Span<byte> scratch)
        => FanOut(packet, view, Stream.IsKeyframe(view), scratch);

    private void FanOut(ReadOnlySpan<byte> packet, in RtpPacket view, bool isKeyframe, Span<byte> scratch)
    {
        AudioLevel?.Observe(view);
        ImmutableArray<DownTrack> downTracks = _downTracks;
        foreach (DownTrack downTrack in downTracks)
        {
            downTrack.Send(packet, view, isKeyframe, scratch);
        }
    }

    /// <summary>Asks the publisher for a keyframe, at most once per <paramref name="minInterval"/>. Any thread.</summary>
    internal void RequestKeyframe(TimeSpan minInterval)
    {
        if (Kind == MediaKind.Video)
        {
            Keyframes.Request(minInterval);
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

        foreach (ExtensionDescription extension in track.Extensions)
        {
            if (string.Equals(extension.Uri, MediaCapabilities.AudioLevelUri, StringComparison.OrdinalIgnoreCase))
            {
                return new AudioLevelMeter(extension.Id);
            }
        }

        return null;
    }
}
