using Sfu.Core.Negotiation;

namespace Sfu.Core.Routing;

/// <summary>What a participant's offer, as we answered it, says about a track it sends.</summary>
internal static class OfferedTracks
{
    /// <summary>True when the offered section has the participant sending.</summary>
    public static bool Sends(MediaDescription offered)
        => offered.EffectiveDirection is MediaDirection.SendOnly or MediaDirection.SendRecv;

    /// <summary>
    /// The track the participant publishes in <paramref name="offered"/>, with the codec and
    /// extensions of our <paramref name="answered"/> section; null when it announces no SSRC
    /// or no codec was agreed.
    /// </summary>
    public static PublishedTrack? Read(MediaDescription offered, MediaDescription answered)
    {
        (uint ssrc, uint? rtxSsrc) = SectionPolicy.PrimarySsrc(offered);
        RtpCodec? primary = answered.Codecs.FirstOrDefault(c => !c.IsRtx);
        if (ssrc == 0 || primary is null)
        {
            return null;
        }

        RtpCodec? rtx = answered.Codecs.FirstOrDefault(c => c.IsRtx && c.AssociatedPayloadType == primary.PayloadType);
        var codec = new CodecDescription(
            (byte)primary.PayloadType,
            primary.Name,
            primary.ClockRate,
            primary.Channels ?? 1,
            primary.Fmtp,
            rtx is null ? null : (byte)rtx.PayloadType);
        var extensions = answered.Extensions.Select(e => new ExtensionDescription((byte)e.Id, e.Uri)).ToList();
        return new PublishedTrack(
            offered.Mid!,
            offered.Kind,
            ssrc,
            rtxSsrc,
            offered.Msid?.TrackId ?? offered.Mid!,
            codec,
            extensions);
    }
}
