using Sfu.Core;
using Sfu.Core.Negotiation;

namespace Sfu.Bots;

/// <summary>A snapshot of what a bot received on one remote track.</summary>
/// <param name="Kind">Audio or video.</param>
/// <param name="Ssrc">The SSRC the SFU sends this track with.</param>
/// <param name="StreamId">The msid stream id the SFU announced for it.</param>
/// <param name="TrackId">The msid track id the SFU announced for it.</param>
/// <param name="PacketsReceived">Packets that decrypted and parsed.</param>
/// <param name="BytesReceived">Their RTP payload bytes.</param>
/// <param name="PacketsExpected">Extended highest sequence number minus the first, plus one (RFC 3550 A.3).</param>
/// <param name="PacketsLost">Expected minus received; can be negative with duplicates.</param>
/// <param name="JitterMilliseconds">Interarrival jitter (RFC 3550 A.8).</param>
/// <param name="LatencySamples">How many end-to-end latency samples were taken.</param>
/// <param name="LatencyP50Milliseconds">Median one-way latency over the recent samples.</param>
/// <param name="LatencyP99Milliseconds">99th percentile one-way latency over the recent samples.</param>
/// <param name="FramesReceived">Video: packets with the marker bit (last packet of a frame).</param>
/// <param name="KeyframesReceived">Video: first packets of key frames.</param>
/// <param name="LatePackets">Packets whose sequence number was not above every one before (reordered; a duplicate never decrypts, SRTP's replay check refuses it).</param>
/// <param name="FrameWidth">Video: the width the last key frame declared (its VP8 frame header): which simulcast layer arrives.</param>
/// <param name="FrameHeight">Video: the height the last key frame declared.</param>
/// <param name="FramesWithoutReference">
/// Video: delta frames a decoder could not use: before any key frame, or (for the bots'
/// synthetic VP8, whose frames of one stream all declare the same first partition size) from
/// another stream than the last key frame's, as a layer switch between key frames would give.
/// </param>
public sealed record RemoteTrackStats(
    MediaKind Kind,
    uint Ssrc,
    string StreamId,
    string TrackId,
    long PacketsReceived,
    long BytesReceived,
    long PacketsExpected,
    long PacketsLost,
    double JitterMilliseconds,
    long LatencySamples,
    double LatencyP50Milliseconds,
    double LatencyP99Milliseconds,
    long FramesReceived,
    long KeyframesReceived,
    long LatePackets = 0,
    int FrameWidth = 0,
    int FrameHeight = 0,
    long FramesWithoutReference = 0);
