using Sfu.Core.Negotiation;

namespace Sfu.Core.Routing;

/// <summary>
/// Which codec a published section is answered with, so that the members of the room can
/// receive it. The rule, the same in every room:
/// <list type="number">
/// <item>the first codec, in the publisher's order of preference (RFC 8829 §5.3.1), that every
/// other member has offered in the same stream format (<see cref="CodecParameters.SameFormat"/>:
/// H.264 profile and packetization mode, VP9 profile-id, AV1 profile);</item>
/// <item>when no codec is common to all of them, VP8 if the publisher offered it (every WebRTC
/// endpoint implements VP8 and H.264, RFC 7742 §5; Debian's browsers do not all have H.264);</item>
/// <item>else the publisher's first codec.</item>
/// </list>
/// A member that offered no codec of the kind does not constrain the choice. A track keeps the
/// codec it was published with when its publisher offers again. Members who join later and
/// cannot receive the chosen codec are not sent it (the answer to their server offer decides).
/// </summary>
internal static class RoomCodecChoice
{
    /// <param name="offered">The answered section's codecs, in the publisher's order.</param>
    /// <param name="members">Per other member, the codecs of this kind its offers listed.</param>
    public static RtpCodec? Choose(IReadOnlyList<RtpCodec> offered, IReadOnlyList<IReadOnlyList<RtpCodec>> members)
    {
        RtpCodec? first = null;
        RtpCodec? vp8 = null;
        foreach (RtpCodec codec in offered)
        {
            if (codec.IsRtx)
            {
                continue;
            }

            first ??= codec;
            if (vp8 is null && string.Equals(codec.Name, "VP8", StringComparison.OrdinalIgnoreCase))
            {
                vp8 = codec;
            }

            if (EveryMemberReceives(codec, members))
            {
                return codec;
            }
        }

        return vp8 ?? first;
    }

    /// <summary>Whether <paramref name="member"/>'s offers listed a codec that carries <paramref name="codec"/>'s stream unchanged.</summary>
    public static bool Lists(IReadOnlyList<RtpCodec> member, RtpCodec codec)
    {
        foreach (RtpCodec candidate in member)
        {
            if (!candidate.IsRtx
                && string.Equals(candidate.Name, codec.Name, StringComparison.OrdinalIgnoreCase)
                && candidate.ClockRate == codec.ClockRate
                && CodecParameters.SameFormat(codec.Name, candidate.Fmtp, codec.Fmtp))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EveryMemberReceives(RtpCodec codec, IReadOnlyList<IReadOnlyList<RtpCodec>> members)
    {
        foreach (IReadOnlyList<RtpCodec> member in members)
        {
            if (member.Count > 0 && !Lists(member, codec))
            {
                return false;
            }
        }

        return true;
    }
}
