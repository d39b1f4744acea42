using System.Globalization;
using Sfu.Core.Negotiation;

namespace Sfu.Testing;

/// <summary>
/// Checks an SDP the server wrote against the rules of JSEP and BUNDLE, returning every
/// violation in words (empty when it conforms). Our own reading of the RFCs, independent of
/// the code that writes the SDP:
/// <list type="bullet">
/// <item>it parses (RFC 8866), and every m-section has a unique a=mid (RFC 8829 §5.2.1, RFC 5888 §4);</item>
/// <item>there is one a=group:BUNDLE, listing exactly the sections that are not rejected, each once (RFC 8843 §7.1, §7.3.3);</item>
/// <item>a payload type names one codec across the whole BUNDLE group (RFC 8843 §9.1), and every
/// payload type on an m= line of a live section has an a=rtpmap unless static (RFC 8866 §6.6);</item>
/// <item>an rtx codec's apt= names a codec of the same section (RFC 4588 §8.6);</item>
/// <item>a header-extension id names one URI across the group (RFC 8285 §6, RFC 8843 §9.2);</item>
/// <item>live sections carry rtcp-mux (RFC 8829 §5.2.1), ICE credentials and a fingerprint;
/// an answer carries no a=bundle-only (RFC 8843 §7.3.1) and setup active or passive (RFC 8842 §5.3);</item>
/// <item>a section that sends names its SSRCs and msid; the same SSRC is never in two sections (RFC 8843 §9.2);</item>
/// <item>an answer mirrors each offered section's mid and kind in order, and its direction is
/// one the offer allows (RFC 3264 §6.1);</item>
/// <item>an offer carries a=extmap-allow-mixed at session level and a=rtcp-rsize in every live
/// section (RFC 8829 §5.2.1); an answer carries either only where its offer did (RFC 8285 §6,
/// RFC 5506 §5).</item>
/// </list>
/// </summary>
public static class SdpRules
{
    /// <summary>The violations of an offer (<paramref name="offer"/> null) or of an answer to <paramref name="offer"/>.</summary>
    public static IReadOnlyList<string> Check(string sdp, string? offer = null)
    {
        var problems = new List<string>();
        SdpParseResult parsed = SdpParser.Parse(sdp);
        if (!parsed.Success)
        {
            return [$"does not parse: {parsed.Error}"];
        }

        SessionDescription d = parsed.Description!;
        bool isAnswer = offer is not null;
        var mids = new HashSet<string>(StringComparer.Ordinal);
        var live = new List<string>();
        foreach (MediaDescription m in d.Media)
        {
            if (m.Mid is null)
            {
                problems.Add($"m={m.KindRaw} has no a=mid");
            }
            else if (!mids.Add(m.Mid))
            {
                problems.Add($"mid {m.Mid} is used twice");
            }

            if (!m.IsRejected && m.Mid is not null)
            {
                live.Add(m.Mid);
            }
        }

        CheckBundle(d, live, problems);
        CheckPayloadTypes(d, problems);
        CheckTransport(d, isAnswer, problems);
        CheckSsrcs(d, problems);
        if (offer is not null)
        {
            CheckAgainstOffer(d, offer, problems);
        }
        else
        {
            CheckOfferAttributes(d, problems);
        }

        return problems;
    }

    private static void CheckBundle(SessionDescription d, List<string> live, List<string> problems)
    {
        List<SdpGroup> bundles = [.. d.Groups.Where(g => g.IsBundle)];
        if (live.Count == 0)
        {
            return;
        }

        if (bundles.Count != 1)
        {
            problems.Add($"{bundles.Count} BUNDLE groups where one is expected");
            return;
        }

        List<string> grouped = [.. bundles[0].Mids];
        if (grouped.Distinct(StringComparer.Ordinal).Count() != grouped.Count)
        {
            problems.Add("a mid is listed twice in the BUNDLE group");
        }

        foreach (string mid in live.Except(grouped, StringComparer.Ordinal))
        {
            problems.Add($"live section {mid} is not in the BUNDLE group");
        }

        foreach (string mid in grouped.Except(live, StringComparer.Ordinal))
        {
            problems.Add($"BUNDLE lists {mid}, which is rejected or absent");
        }
    }

    private static void CheckPayloadTypes(SessionDescription d, List<string> problems)
    {
        var codecs = new Dictionary<int, (string Codec, string Mid)>();
        var extensions = new Dictionary<int, (string Uri, string Mid)>();
        foreach (MediaDescription m in d.Media.Where(m => !m.IsRejected))
        {
            foreach (string format in m.Formats)
            {
                int pt = int.Parse(format, CultureInfo.InvariantCulture);
                RtpCodec? codec = m.FindCodec(pt);
                if (codec is null)
                {
                    problems.Add($"section {m.Mid}: payload type {pt} has no a=rtpmap");
                    continue;
                }

                string name = codec.IsRtx ? $"rtx/{codec.ClockRate} apt={codec.AssociatedPayloadType}" : codec.ToRtpmapValue().ToUpperInvariant();
                if (codecs.TryGetValue(pt, out var seen) && !string.Equals(seen.Codec, name, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"payload type {pt} is {seen.Codec} in section {seen.Mid} and {name} in section {m.Mid} of one BUNDLE group (RFC 8843 §9.1)");
                }
                else
                {
                    codecs.TryAdd(pt, (name, m.Mid ?? ""));
                }

                if (codec.IsRtx && (codec.AssociatedPayloadType is not int apt || m.FindCodec(apt) is null))
                {
                    problems.Add($"section {m.Mid}: rtx {pt} names apt={codec.AssociatedPayloadType}, which the section does not list");
                }
            }

            foreach (HeaderExtension ext in m.Extensions)
            {
                if (extensions.TryGetValue(ext.Id, out var seen) && !string.Equals(seen.Uri, ext.Uri, StringComparison.Ordinal))
                {
                    problems.Add($"extension id {ext.Id} is {seen.Uri} in section {seen.Mid} and {ext.Uri} in section {m.Mid}");
                }
                else
                {
                    extensions.TryAdd(ext.Id, (ext.Uri, m.Mid ?? ""));
                }
            }
        }
    }

    private static void CheckTransport(SessionDescription d, bool isAnswer, List<string> problems)
    {
        foreach (MediaDescription m in d.Media.Where(m => !m.IsRejected))
        {
            if (!m.RtcpMux)
            {
                problems.Add($"section {m.Mid} has no a=rtcp-mux");
            }

            if ((m.IceUfrag ?? d.IceUfrag) is null || (m.IcePwd ?? d.IcePwd) is null)
            {
                problems.Add($"section {m.Mid} has no ICE credentials");
            }

            if ((m.Fingerprint ?? d.Fingerprint) is null)
            {
                problems.Add($"section {m.Mid} has no a=fingerprint");
            }

            if (isAnswer && m.BundleOnly)
            {
                problems.Add($"answer section {m.Mid} carries a=bundle-only (RFC 8843 §7.3.1)");
            }

            if (isAnswer && (m.Setup ?? d.Setup) is not (DtlsSetup.Active or DtlsSetup.Passive))
            {
                problems.Add($"answer section {m.Mid} has setup {m.Setup ?? d.Setup}, not active or passive (RFC 8842 §5.3)");
            }
        }
    }

    private static void CheckSsrcs(SessionDescription d, List<string> problems)
    {
        var owners = new Dictionary<uint, string>();
        foreach (MediaDescription m in d.Media.Where(m => !m.IsRejected))
        {
            bool sends = m.EffectiveDirection is MediaDirection.SendOnly or MediaDirection.SendRecv;
            if (sends && (m.Ssrcs.Count == 0 || m.Msid is null))
            {
                problems.Add($"section {m.Mid} sends but names no SSRC or msid");
            }

            foreach (uint ssrc in m.Ssrcs.Select(s => s.Ssrc).Distinct())
            {
                if (owners.TryGetValue(ssrc, out string? other) && other != m.Mid)
                {
                    problems.Add($"SSRC {ssrc} is in sections {other} and {m.Mid}");
                }

                owners.TryAdd(ssrc, m.Mid ?? "");
            }
        }
    }

    private static void CheckOfferAttributes(SessionDescription offer, List<string> problems)
    {
        if (!offer.ExtmapAllowMixed)
        {
            problems.Add("the offer has no session-level a=extmap-allow-mixed (RFC 8829 §5.2.1)");
        }

        foreach (MediaDescription m in offer.Media)
        {
            if (!m.IsRejected && !m.RtcpRsize)
            {
                problems.Add($"section {m.Mid}: no a=rtcp-rsize in an offer (RFC 8829 §5.2.1)");
            }
        }
    }

    private static void CheckMirroredFlags(SessionDescription answer, SessionDescription offer, List<string> problems)
    {
        if (answer.ExtmapAllowMixed && !offer.ExtmapAllowMixed)
        {
            problems.Add("a=extmap-allow-mixed at session level in an answer to an offer without it (RFC 8285 §6)");
        }

        for (int i = 0; i < Math.Min(answer.Media.Count, offer.Media.Count); i++)
        {
            MediaDescription a = answer.Media[i];
            MediaDescription o = offer.Media[i];
            if (a.ExtmapAllowMixed && !o.ExtmapAllowMixed && !offer.ExtmapAllowMixed)
            {
                problems.Add($"section {a.Mid}: a=extmap-allow-mixed answered where not offered (RFC 8285 §6)");
            }

            if (a.RtcpRsize && !o.RtcpRsize)
            {
                problems.Add($"section {a.Mid}: a=rtcp-rsize answered where not offered (RFC 5506 §5)");
            }
        }
    }

    private static void CheckAgainstOffer(SessionDescription answer, string offerSdp, List<string> problems)
    {
        SdpParseResult parsed = SdpParser.Parse(offerSdp);
        if (!parsed.Success)
        {
            problems.Add($"the offer does not parse: {parsed.Error}");
            return;
        }

        CheckMirroredFlags(answer, parsed.Description!, problems);
        IList<MediaDescription> offered = parsed.Description!.Media;
        if (offered.Count != answer.Media.Count)
        {
            problems.Add($"the answer has {answer.Media.Count} sections for {offered.Count} offered");
            return;
        }

        for (int i = 0; i < offered.Count; i++)
        {
            MediaDescription o = offered[i];
            MediaDescription a = answer.Media[i];
            if (a.Mid != o.Mid || a.KindRaw != o.KindRaw)
            {
                problems.Add($"answer section {i} is {a.KindRaw} {a.Mid} for offered {o.KindRaw} {o.Mid}");
                continue;
            }

            if (o.IsRejected && !a.IsRejected)
            {
                problems.Add($"section {a.Mid} was rejected in the offer but accepted in the answer");
            }

            if (a.IsRejected)
            {
                continue;
            }

            // RFC 3264 §6.1: sendonly answers recvonly or inactive, recvonly answers sendonly or inactive.
            MediaDirection theirs = o.EffectiveDirection;
            MediaDirection ours = a.EffectiveDirection;
            bool weSend = ours is MediaDirection.SendOnly or MediaDirection.SendRecv;
            bool weReceive = ours is MediaDirection.RecvOnly or MediaDirection.SendRecv;
            if ((weSend && theirs is MediaDirection.SendOnly or MediaDirection.Inactive)
                || (weReceive && theirs is MediaDirection.RecvOnly or MediaDirection.Inactive))
            {
                problems.Add($"section {a.Mid}: {ours} does not answer {theirs} (RFC 3264 §6.1)");
            }

            foreach (RtpCodec codec in a.Codecs)
            {
                RtpCodec? same = o.FindCodec(codec.PayloadType);
                if (same is null || !string.Equals(same.Name, codec.Name, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"section {a.Mid}: answered payload type {codec.PayloadType} {codec.Name} was not offered as such");
                }
            }
        }
    }
}
