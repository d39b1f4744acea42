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
    /// extensions of our <paramref name="answered"/> section; null when it announces neither an
    /// SSRC nor simulcast rids we answered, or no codec was agreed. With simulcast the rids
    /// come in the order of a=simulcast, which a sender lists lowest resolution first (our client
    /// does; Chromium keeps the order of its encodings).
    /// </summary>
    public static PublishedTrack? Read(MediaDescription offered, MediaDescription answered)
    {
        IReadOnlyList<string>? rids = SimulcastDescription.TryParse(answered.Simulcast, out SimulcastDescription simulcast) && simulcast.Receive.Count > 0
            ? simulcast.Receive
            : null;
        (uint ssrc, uint? rtxSsrc) = rids is null ? SectionPolicy.PrimarySsrc(offered) : (0u, null);
        RtpCodec? primary = answered.Codecs.FirstOrDefault(c => !c.IsRtx);
        if ((ssrc == 0 && rids is null) || primary is null)
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
            extensions,
            rids);
    }

    /// <summary>
    /// True when a re-offer keeps sending the same streams: the same SSRC, or the same
    /// simulcast rids. Anything else ends the old track and starts a new one.
    /// </summary>
    public static bool SameStreams(PublishedTrack current, PublishedTrack? offered)
        => offered is not null
            && current.Ssrc == offered.Ssrc
            && (current.Rids ?? []).SequenceEqual(offered.Rids ?? []);
}
