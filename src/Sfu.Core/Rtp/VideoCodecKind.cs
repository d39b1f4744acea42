namespace Sfu.Core.Rtp;

/// <summary>Video payload formats whose keyframes <see cref="VideoKeyframe"/> can recognize.</summary>
public enum VideoCodecKind : byte
{
    /// <summary>Not a recognized video codec; never reported as a keyframe.</summary>
    Unknown,

    /// <summary>VP8, RFC 7741.</summary>
    Vp8,

    /// <summary>H.264, RFC 6184 (packetization mode 0 or 1).</summary>
    H264,

    /// <summary>VP9, RFC 9628.</summary>
    Vp9,

    /// <summary>AV1, the AV1 RTP payload specification.</summary>
    Av1,
}
