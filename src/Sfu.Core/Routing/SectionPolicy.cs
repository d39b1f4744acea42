using System.Globalization;
using Sfu.Core.Negotiation;
using Sfu.Core.Rtp;

namespace Sfu.Core.Routing;

/// <summary>
/// What goes into each m-section the SFU answers or offers: one codec per published track,
/// the subscriber's own payload types and header-extension ids for what it receives, and
/// which extensions survive forwarding. Pure functions over the SDP model.
/// </summary>
internal static class SectionPolicy
{
    public static List<HeaderExtension> ExtensionsToSend(IReadOnlyList<MediaSlot> slots, MediaKind kind)
    {
        var list = new List<HeaderExtension>();
        foreach (MediaSlot slot in slots)
        {
            if (slot.Kind != kind || slot.ServerOwned)
            {
                continue;
            }

            foreach (HeaderExtension extension in slot.Extensions)
            {
                if ((ForwardedExtension(extension.Uri) || extension.Uri == MediaCapabilities.TransportCcUri) && !list.Any(e => e.Uri == extension.Uri))
                {
                    list.Add(extension with { Direction = null });
                }
            }
        }

        return list;
    }

    public static List<RtpCodec> DefaultCodecs(MediaKind kind)
    {
        RtpCodec codec = kind == MediaKind.Audio
            ? new RtpCodec { PayloadType = 111, Name = "opus", ClockRate = 48000, Channels = 2, Fmtp = "minptime=10;useinbandfec=1" }
            : new RtpCodec { PayloadType = 96, Name = "VP8", ClockRate = 90000 };
        return [codec];
    }

    /// <summary>Feedback we accept on what we send: repair, keyframes, and transport-wide feedback for our estimate.</summary>
    public static string[] FeedbackFor(MediaKind kind)
        => kind == MediaKind.Video ? ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"] : ["nack", "transport-cc"];

    /// <summary>Extensions whose value means the same to the subscriber as to the publisher.</summary>
    public static bool ForwardedExtension(string uri)
        => uri == MediaCapabilities.AudioLevelUri || uri == MediaCapabilities.AbsSendTimeUri;

    /// <summary>The media SSRC and its RTX partner from a=ssrc-group:FID (RFC 5576 §4.2), else the first a=ssrc.</summary>
    public static (uint Ssrc, uint? RtxSsrc) PrimarySsrc(MediaDescription media)
    {
        foreach (SsrcGroup group in media.SsrcGroups)
        {
            if (string.Equals(group.Semantics, "FID", StringComparison.OrdinalIgnoreCase) && group.Ssrcs.Count >= 2)
            {
                return (group.Ssrcs[0], group.Ssrcs[1]);
            }
        }

        return media.Ssrcs.Count > 0 ? (media.Ssrcs[0].Ssrc, null) : (0u, null);
    }

    /// <summary>
    /// Leaves exactly one media codec (and its RTX) in an answered section, so the publisher's
    /// choice is known and every subscriber can be offered the same codec.
    /// </summary>
    public static void KeepOnePrimaryCodec(MediaDescription media)
    {
        RtpCodec? primary = media.Codecs.FirstOrDefault(c => !c.IsRtx);
        if (primary is null)
        {
            return;
        }

        var keep = media.Codecs.Where(c => c == primary || (c.IsRtx && c.AssociatedPayloadType == primary.PayloadType)).ToList();
        media.Codecs.Clear();
        media.Formats.Clear();
        foreach (RtpCodec codec in keep)
        {
            media.Codecs.Add(codec);
            media.Formats.Add(codec.PayloadType.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Leaves only <paramref name="source"/>'s codec (and its RTX) in an answered section;
    /// false, with the section unchanged, when the section does not list it.
    /// </summary>
    public static bool KeepCodecFor(MediaDescription media, CodecDescription source)
    {
        RtpCodec? match = media.Codecs.FirstOrDefault(c => !c.IsRtx && Matches(c, source) && CodecParameters.SameFormat(c.Name, c.Fmtp, source.Fmtp))
            ?? media.Codecs.FirstOrDefault(c => !c.IsRtx && Matches(c, source) && !CodecParameters.FormatMatters(c.Name));
        if (match is null)
        {
            return false;
        }

        media.Codecs.Remove(match);
        media.Codecs.Insert(0, match);
        KeepOnePrimaryCodec(media);
        return true;
    }

    /// <summary>The codec of <paramref name="media"/> that carries <paramref name="source"/>'s stream unchanged (same name and stream format), or null.</summary>
    public static RtpCodec? FindCodecFor(MediaDescription media, CodecDescription source)
        => media.Codecs.FirstOrDefault(c => !c.IsRtx && Matches(c, source) && CodecParameters.SameFormat(c.Name, c.Fmtp, source.Fmtp));

    public static bool Matches(RtpCodec codec, CodecDescription source)
        => string.Equals(codec.Name, source.Name, StringComparison.OrdinalIgnoreCase)
           && codec.ClockRate == source.ClockRate
           && (codec.Channels ?? 1) == source.Channels;

    public static ExtensionIdMap ExtensionMapFor(IReadOnlyList<ExtensionDescription> publisherExtensions, MediaDescription subscriberMedia)
    {
        var map = default(ExtensionIdMap);
        foreach (ExtensionDescription extension in publisherExtensions)
        {
            if (!ForwardedExtension(extension.Uri))
            {
                continue;
            }

            HeaderExtension? target = subscriberMedia.FindExtension(extension.Uri);
            if (target is not null)
            {
                map.Set(extension.Id, (byte)target.Id);
            }
        }

        return map;
    }
}
