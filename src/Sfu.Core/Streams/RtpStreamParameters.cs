using Sfu.Core.Rtp;

namespace Sfu.Core.Streams;

/// <summary>
/// What negotiation said about one RTP stream: its SSRC and, when it has one, the SSRC and
/// payload type its retransmissions use (RFC 4588 §8), its codec's payload type and clock.
/// </summary>
public sealed record RtpStreamParameters(
    uint Ssrc,
    MediaKind Kind,
    byte PayloadType,
    int ClockRate,
    VideoCodecKind VideoCodec = VideoCodecKind.Unknown,
    uint? RtxSsrc = null,
    byte? RtxPayloadType = null);
