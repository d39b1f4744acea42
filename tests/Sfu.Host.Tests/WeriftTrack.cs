namespace Sfu.Host.Tests;

/// <summary>One track a werift peer received, as werift delivered it after SRTP decryption.</summary>
/// <param name="StreamId">The msid stream id: the publisher's participant id.</param>
/// <param name="Mid">The m-section it arrived in.</param>
/// <param name="Packets">RTP packets delivered.</param>
/// <param name="Ssrcs">Every SSRC seen on the track.</param>
/// <param name="AnnouncedSsrcs">The media SSRCs the server's offers announced for <paramref name="Mid"/> (a=ssrc … msid, RTX left out), with the msid stream id of each.</param>
/// <param name="Verified">Payloads identical to what the publisher named by <paramref name="StreamId"/> sent (tests/interop/payload-pattern.mjs).</param>
/// <param name="Mismatches">Payloads that were not: another publisher's, another kind's, or changed bytes.</param>
/// <param name="MismatchSamples">Why the first few did not match.</param>
/// <param name="SequenceOffsets">Distinct differences between a verified packet's sequence number and the publisher's packet counter: 1 when the server renumbers consistently.</param>
/// <param name="TimestampOffsets">The same for RTP timestamps.</param>
/// <param name="Sequence">Video only: which sequence numbers arrived, and when.</param>
/// <param name="Decoded">wrtc-peer.mjs: frames (video) or 10 ms chunks (audio) decoded; there <paramref name="Verified"/> counts those that showed the publisher's pattern (tests/interop/frame-pattern.mjs).</param>
/// <param name="DistinctFrames">wrtc-peer.mjs, video: distinct frame numbers read from decoded frames.</param>
/// <param name="Codec">wrtc-peer.mjs: the codec's MIME type from getStats.</param>
public sealed record WeriftTrack(
    string Kind,
    string StreamId,
    string? Mid,
    int Packets,
    IReadOnlyList<uint> Ssrcs,
    IReadOnlyDictionary<uint, string> AnnouncedSsrcs,
    int Verified,
    int Mismatches,
    IReadOnlyList<string> MismatchSamples,
    int SequenceOffsets,
    int TimestampOffsets,
    WeriftSequence? Sequence,
    int Decoded = 0,
    int DistinctFrames = 0,
    string? Codec = null);
