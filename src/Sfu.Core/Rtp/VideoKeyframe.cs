namespace Sfu.Core.Rtp;

/// <summary>
/// Tells whether an RTP payload starts a keyframe, reading only the payload descriptor and
/// the first codec header bytes (no decoding). Truncated payloads are simply "not a keyframe".
/// </summary>
public static class VideoKeyframe
{
    /// <summary>True when <paramref name="payload"/> carries the start of a keyframe.</summary>
    public static bool IsKeyframe(ReadOnlySpan<byte> payload, VideoCodecKind codec) => codec switch
    {
        VideoCodecKind.Vp8 => IsVp8Keyframe(payload),
        VideoCodecKind.H264 => IsH264Keyframe(payload),
        VideoCodecKind.Vp9 => Vp9PayloadDescriptor.IsKeyframe(payload),
        VideoCodecKind.Av1 => Av1AggregationHeader.IsKeyframe(payload),
        _ => false,
    };

    /// <summary>
    /// VP8 payload descriptor (RFC 7741 §4.2), then the VP8 payload header (§4.3):
    /// <code>
    ///   0 1 2 3 4 5 6 7
    ///  +-+-+-+-+-+-+-+-+
    ///  |X|R|N|S|R| PID | (REQUIRED)
    ///  +-+-+-+-+-+-+-+-+
    ///  |I|L|T|K| RSV   | (OPTIONAL, if X)
    ///  |M| PictureID   | (OPTIONAL, if I; 15 bits when M)
    ///  |   PictureID   |
    ///  |   TL0PICIDX   | (OPTIONAL, if L)
    ///  |TID|Y| KEYIDX  | (OPTIONAL, if T or K)
    ///  +-+-+-+-+-+-+-+-+
    ///  |Size0|H| VER |P| first byte of the VP8 frame tag
    ///  +-+-+-+-+-+-+-+-+
    /// </code>
    /// Only the first packet of a partition 0 (S=1, PID=0) holds the frame tag; its P bit is
    /// the inverse key frame flag, so P=0 means a key frame.
    /// </summary>
    private static bool IsVp8Keyframe(ReadOnlySpan<byte> payload)
    {
        int offset = Vp8Descriptor.FrameOffset(payload);
        return offset >= 0 && (payload[offset] & 0x01) == 0;
    }

    /// <summary>
    /// H.264 NAL unit header (RFC 6184 §1.3, §5.3): F(1) NRI(2) Type(5). Keyframe when an IDR
    /// slice (5) or a sequence parameter set (7) starts in this packet: as a single NAL unit
    /// (types 1-23), inside a STAP-A aggregate (24, §5.7.1) or as the start of an FU-A (28, §5.8).
    /// <code>
    /// STAP-A: [NAL hdr type 24][size 16][NAL 1 ...][size 16][NAL 2 ...]...
    /// FU-A:   [FU indicator type 28][S|E|R| Type(5)][fragment ...]
    /// </code>
    /// </summary>
    private static bool IsH264Keyframe(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return false;
        }

        int type = payload[0] & 0x1F;
        switch (type)
        {
            case 24:
                {
                    int offset = 1;
                    while (offset + 2 < payload.Length)
                    {
                        int size = (payload[offset] << 8) | payload[offset + 1];
                        offset += 2;
                        if (size == 0 || offset + size > payload.Length)
                        {
                            return false;
                        }

                        if (IsH264KeyNalType(payload[offset] & 0x1F))
                        {
                            return true;
                        }

                        offset += size;
                    }

                    return false;
                }

            case 28:
                return payload.Length >= 2
                    && (payload[1] & 0x80) != 0
                    && IsH264KeyNalType(payload[1] & 0x1F);

            default:
                return IsH264KeyNalType(type);
        }
    }

    private static bool IsH264KeyNalType(int type) => type is 5 or 7;
}
