namespace Sfu.Core.Negotiation;

/// <summary>
/// The SFU's codec and header-extension policy used by <see cref="SdpAnswerBuilder"/>.
/// <see cref="Default"/>: opus/48000/2 (answered with useinbandfec=1), VP8/90000, VP9/90000 and
/// AV1/90000 (any profile) and H264/90000 with packetization-mode 0 or 1 (any profile the
/// offerer lists), video with rtx and
/// nack / nack pli / ccm fir / goog-remb; extensions ssrc-audio-level, sdes:mid, abs-send-time,
/// and the simulcast stream ids (sdes:rtp-stream-id, sdes:repaired-rtp-stream-id).
/// transport-wide congestion control (the transport-cc extension and feedback): we send
/// publishers feedback on what they send and estimate each subscriber's downlink from theirs.
/// </summary>
public sealed class MediaCapabilities
{
    public const string AudioLevelUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    public const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
    public const string AbsSendTimeUri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

    /// <summary>The transport-wide sequence number congestion control counts packets by (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2).</summary>
    public const string TransportCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    /// <summary>The rid of the simulcast stream a packet belongs to (RFC 8852 §3.1).</summary>
    public const string RtpStreamIdUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

    /// <summary>The rid of the stream a retransmission repairs (RFC 8852 §3.2).</summary>
    public const string RepairedRtpStreamIdUri = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

    private static readonly string[] VideoFeedback = ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"];

    private static readonly IReadOnlyDictionary<string, string> NoParameters =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public MediaCapabilities(IReadOnlyList<CodecCapability> codecs, IReadOnlyList<string> headerExtensions)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        ArgumentNullException.ThrowIfNull(headerExtensions);
        Codecs = codecs;
        HeaderExtensions = headerExtensions;
    }

    /// <summary>Codecs in no particular order: the answer follows the offerer's preference order (RFC 8829 §5.3.1).</summary>
    public IReadOnlyList<CodecCapability> Codecs { get; }

    /// <summary>Header extension URIs (RFC 8285) the SFU reads or writes.</summary>
    public IReadOnlyList<string> HeaderExtensions { get; }

    public static MediaCapabilities Default { get; } = new(
        [
            // Opus: RFC 7587 §7 — rtpmap is always opus/48000/2; we ask the sender for in-band FEC.
            new CodecCapability(MediaKind.Audio, "opus", 48000, 2, NoParameters, "minptime=10;useinbandfec=1", ["nack", "transport-cc"], Rtx: false),
            new CodecCapability(MediaKind.Video, "VP8", 90000, null, NoParameters, null, VideoFeedback, Rtx: true),

            // VP9 (RFC 9628) and AV1 (AV1 RTP specification): forwarded whole, SVC layers
            // included; fmtp echoed, since profile-id / profile name the bitstream (§6, §7.2).
            new CodecCapability(MediaKind.Video, "VP9", 90000, null, NoParameters, null, VideoFeedback, Rtx: true),
            new CodecCapability(MediaKind.Video, "AV1", 90000, null, NoParameters, null, VideoFeedback, Rtx: true),

            // H264: single NAL unit and non-interleaved modes (RFC 6184 §6.2, §6.3), any profile;
            // the fmtp is echoed and a track's mode and profile must match the subscriber's.
            new CodecCapability(MediaKind.Video, "H264", 90000, null, NoParameters, null, VideoFeedback, Rtx: true, H264Profile.IsForwardable),
        ],
        [AudioLevelUri, MidUri, AbsSendTimeUri, TransportCcUri, RtpStreamIdUri, RepairedRtpStreamIdUri]);

    /// <summary>The first capability that accepts the offered codec, or null.</summary>
    public CodecCapability? Match(MediaKind kind, RtpCodec offered)
    {
        foreach (CodecCapability capability in Codecs)
        {
            if (capability.Matches(kind, offered))
            {
                return capability;
            }
        }

        return null;
    }

    public bool SupportsExtension(string uri)
    {
        foreach (string supported in HeaderExtensions)
        {
            if (string.Equals(supported, uri, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
