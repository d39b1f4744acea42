using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Sfu.Core.Negotiation;

/// <summary>
/// Answers a browser's offer as an ICE-lite, max-bundle SFU (RFC 8829 §5.3.1, RFC 3264 §6).
/// <para>
/// Per offered m= section, in order: rejected (port 0, mid kept) when the kind or protocol is not
/// RTP over DTLS-SRTP, when it is outside the BUNDLE group, or when no codec matches
/// <see cref="MediaCapabilities"/>. Otherwise the answer lists the matching codecs with the
/// offerer's payload types in the offerer's order, their accepted rtx codecs, the intersection of
/// rtcp-fb and of header extensions (offerer's ids), rtcp-mux, rtcp-rsize if offered, and the
/// direction from RFC 3264 §6.1: we send only if we have a <see cref="SendStream"/> for the mid
/// and the offerer receives; we receive whatever the offerer sends.
/// </para>
/// The offer must use BUNDLE, rtcp-mux, a fingerprint and ICE credentials; otherwise the result
/// carries a reason instead of an answer.
/// </summary>
public static class SdpAnswerBuilder
{
    public static SdpAnswerResult Build(
        SessionDescription offer,
        LocalTransport transport,
        MediaCapabilities caps,
        IReadOnlyDictionary<string, SendStream> sendersByMid)
        => Build(offer, transport, caps, sendersByMid, NewSessionId(), 1);

    /// <param name="sessionId">Stays the same for every description of one session (RFC 8866 §5.2).</param>
    /// <param name="sessionVersion">Must grow with each new description of the session (RFC 3264 §8).</param>
    public static SdpAnswerResult Build(
        SessionDescription offer,
        LocalTransport transport,
        MediaCapabilities caps,
        IReadOnlyDictionary<string, SendStream> sendersByMid,
        ulong sessionId,
        ulong sessionVersion)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(caps);
        ArgumentNullException.ThrowIfNull(sendersByMid);

        if (transport.Setup is not (DtlsSetup.Active or DtlsSetup.Passive))
        {
            // RFC 8842 §5.3: the answerer must choose a role.
            return SdpAnswerResult.Fail("an answer needs a=setup active or passive, not " + SdpWriter.SetupToken(transport.Setup));
        }

        if (offer.Media.Count == 0)
        {
            return SdpAnswerResult.Fail("the offer has no m= sections");
        }

        SdpGroup? bundle = offer.BundleGroup;
        if (bundle is null)
        {
            return SdpAnswerResult.Fail("the offer has no a=group:BUNDLE; all media must share one transport (RFC 8843)");
        }

        // One set, so each section's membership is a lookup: the answer stays linear in the sections.
        var bundled = new HashSet<string>(bundle.Mids, StringComparer.Ordinal);
        SessionDescription answer = SdpSections.NewSession(sessionId, sessionVersion);
        answer.ExtmapAllowMixed = offer.ExtmapAllowMixed;
        var accepted = new List<string>();
        var rejected = new List<RejectedSection>();
        for (int i = 0; i < offer.Media.Count; i++)
        {
            MediaDescription offered = offer.Media[i];
            if (offered.Mid is null)
            {
                // RFC 8829 §5.8: every m= section of a JSEP description carries a mid.
                return SdpAnswerResult.Fail($"m= section {i + 1} ({offered.KindRaw}) has no a=mid");
            }

            if (offered.IsRejected)
            {
                answer.Media.Add(Rejected(offered));
                continue;
            }

            string? reason = null;
            MediaDescription? section = bundled.Contains(offered.Mid)
                ? AnswerCodecs(offered, caps, out reason)
                : null;
            if (section is null)
            {
                // RFC 8843 §7.3.3: a section the answerer leaves out of the BUNDLE group is rejected.
                reason ??= "it is not in the offer's BUNDLE group, and all media must share one transport (RFC 8843)";
                rejected.Add(new RejectedSection(offered.Mid, offered.KindRaw, reason));
                answer.Media.Add(Rejected(offered));
                continue;
            }

            string? problem = CheckTransport(offer, offered, transport.Setup);
            if (problem is not null)
            {
                return SdpAnswerResult.Fail($"m= section {i + 1} (mid {offered.Mid}): {problem}");
            }

            SdpSections.AddTransport(section, transport);
            section.RtcpRsize = offered.RtcpRsize;

            // RFC 8285 §6: answered only where offered. Our rewriter reads both header forms and
            // writes the one-byte form whenever the elements fit it.
            section.ExtmapAllowMixed = offered.ExtmapAllowMixed;

            // RFC 3264 §6.1: mirror the offer — their send is our receive and vice versa.
            MediaDirection theirs = offered.EffectiveDirection;
            bool theyReceive = theirs is MediaDirection.SendRecv or MediaDirection.RecvOnly;
            bool theySend = theirs is MediaDirection.SendRecv or MediaDirection.SendOnly;
            bool weSend = theyReceive && sendersByMid.TryGetValue(offered.Mid, out SendStream? stream);
            section.Direction = (weSend, theySend) switch
            {
                (true, true) => MediaDirection.SendRecv,
                (true, false) => MediaDirection.SendOnly,
                (false, true) => MediaDirection.RecvOnly,
                _ => MediaDirection.Inactive,
            };
            if (weSend && sendersByMid.TryGetValue(offered.Mid, out stream))
            {
                SdpSections.AddSendStream(section, stream);
            }

            if (theySend)
            {
                AnswerSimulcast(offered, section);
            }

            answer.Media.Add(section);
            accepted.Add(offered.Mid);
        }

        SdpSections.AddBundle(answer, accepted);
        return SdpAnswerResult.Ok(answer, rejected);
    }

    /// <summary>A fresh origin session id; 62 bits keeps it positive for peers that read it as a signed 64-bit number.</summary>
    public static ulong NewSessionId()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt64BigEndian(bytes) >> 2;
    }

    /// <summary>The codec part of an accepted section, or null when nothing (kind, protocol, codecs) fits.</summary>
    private static MediaDescription? AnswerCodecs(MediaDescription offered, MediaCapabilities caps, out string? reason)
    {
        // Only DTLS-SRTP over UDP (RFC 5764; JSEP's UDP/TLS/RTP/SAVPF, RFC 8829 §5.1.2; legacy RTP/SAVPF).
        bool supportedProtocol = string.Equals(offered.Protocol, "UDP/TLS/RTP/SAVPF", StringComparison.OrdinalIgnoreCase)
            || string.Equals(offered.Protocol, "RTP/SAVPF", StringComparison.OrdinalIgnoreCase);
        if (offered.Kind is not (MediaKind.Audio or MediaKind.Video))
        {
            reason = $"the server carries only audio and video, not {offered.KindRaw}";
            return null;
        }

        if (!supportedProtocol)
        {
            reason = $"the protocol {offered.Protocol} is not RTP over DTLS-SRTP (UDP/TLS/RTP/SAVPF)";
            return null;
        }

        var section = new MediaDescription
        {
            Kind = offered.Kind,
            KindRaw = offered.KindRaw,
            Protocol = offered.Protocol,
            Mid = offered.Mid,
        };
        var acceptedPayloadTypes = new HashSet<int>();
        foreach (RtpCodec codec in offered.Codecs)
        {
            if (codec.IsRtx)
            {
                continue;
            }

            CodecCapability? capability = caps.Match(offered.Kind, codec);
            if (capability is null)
            {
                continue;
            }

            var answered = new RtpCodec
            {
                PayloadType = codec.PayloadType,
                Name = codec.Name,
                ClockRate = codec.ClockRate,
                Channels = codec.Channels,
                Fmtp = capability.AnswerFmtp ?? codec.Fmtp,
            };

            // rtcp-fb applies per payload type; a=rtcp-fb:* lines count for every codec (RFC 4585 §4.2).
            AddFeedback(answered, codec.RtcpFeedback, capability);
            AddFeedback(answered, offered.WildcardRtcpFeedback, capability);
            section.Codecs.Add(answered);
            if (capability.Rtx)
            {
                acceptedPayloadTypes.Add(codec.PayloadType);
            }
        }

        if (section.Codecs.Count == 0)
        {
            reason = "none of the offered codecs (" + string.Join(", ", offered.Codecs.Where(c => !c.IsRtx).Select(c => c.Name).Distinct(StringComparer.OrdinalIgnoreCase))
                + ") is one the server forwards (" + string.Join(", ", caps.Codecs.Where(c => c.Kind == offered.Kind).Select(c => c.Name).Distinct(StringComparer.OrdinalIgnoreCase)) + ")";
            return null;
        }

        reason = null;

        // RTX follows its associated codec (RFC 4588 §8.6): keep the offerer's rtx PT and apt=,
        // placed right after the codec it repairs so the answer reads like Chromium's.
        for (int i = section.Codecs.Count - 1; i >= 0; i--)
        {
            int pt = section.Codecs[i].PayloadType;
            RtpCodec? rtx = acceptedPayloadTypes.Contains(pt) ? offered.FindRtxFor(pt) : null;
            if (rtx is not null && rtx.ClockRate == section.Codecs[i].ClockRate)
            {
                section.Codecs.Insert(i + 1, new RtpCodec { PayloadType = rtx.PayloadType, Name = rtx.Name, ClockRate = rtx.ClockRate, Fmtp = rtx.Fmtp });
            }
        }

        SdpSections.SetFormats(section);

        // RFC 8285 §7: the answer may only use extensions the offer listed, with the offer's ids.
        foreach (HeaderExtension ext in offered.Extensions)
        {
            if (caps.SupportsExtension(ext.Uri))
            {
                section.Extensions.Add(new HeaderExtension(ext.Id, ext.Uri));
            }
        }

        return section;
    }

    /// <summary>
    /// Receives every simulcast stream the offerer sends (RFC 8853 §5.3): its a=rid lines
    /// mirrored as "recv" (RFC 8851 §4; restrictions are not repeated) and a=simulcast with the
    /// directions swapped. A malformed a=simulcast is answered as no simulcast at all.
    /// </summary>
    private static void AnswerSimulcast(MediaDescription offered, MediaDescription section)
    {
        if (!SimulcastDescription.TryParse(offered.Simulcast, out SimulcastDescription simulcast) || simulcast.Send.Count == 0)
        {
            return;
        }

        var sent = new SimulcastDescription([.. simulcast.Send.Where(rid => offered.Rids.Any(r => r.Direction == RidDirection.Send && r.Id == rid))], []);
        if (sent.Send.Count == 0)
        {
            return;
        }

        foreach (string rid in sent.Send)
        {
            section.Rids.Add(new RidAttribute(rid, RidDirection.Recv, null));
        }

        section.Simulcast = sent.Mirrored();
    }

    private static void AddFeedback(RtpCodec answered, IEnumerable<string> offered, CodecCapability capability)
    {
        foreach (string fb in offered)
        {
            if (capability.SupportsFeedback(fb) && !answered.RtcpFeedback.Contains(fb))
            {
                answered.RtcpFeedback.Add(fb);
            }
        }
    }

    private static string? CheckTransport(SessionDescription offer, MediaDescription offered, DtlsSetup ours)
    {
        // Browsers repeat these in every section; a session-level value applies when the section has none.
        if ((offered.IceUfrag ?? offer.IceUfrag) is null || (offered.IcePwd ?? offer.IcePwd) is null)
        {
            return "no a=ice-ufrag/a=ice-pwd (RFC 8839 §5.4)";
        }

        if ((offered.Fingerprint ?? offer.Fingerprint) is null)
        {
            return "no a=fingerprint; DTLS-SRTP needs the peer's certificate hash (RFC 8122 §5)";
        }

        if (!offered.RtcpMux)
        {
            return "no a=rtcp-mux; RTP and RTCP must share the port (RFC 5761, RFC 8829 §5.1.3)";
        }

        // RFC 4145 §4: a missing setup in an offer means active; JSEP offers always say actpass.
        DtlsSetup theirs = offered.Setup ?? offer.Setup ?? DtlsSetup.Active;
        return theirs switch
        {
            DtlsSetup.Active when ours == DtlsSetup.Active => "the offer says a=setup:active, so the answer must be passive",
            DtlsSetup.Passive when ours == DtlsSetup.Passive => "the offer says a=setup:passive, so the answer must be active",
            DtlsSetup.HoldConn => "the offer says a=setup:holdconn; there is no DTLS connection to answer",
            _ => null,
        };
    }

    private static MediaDescription Rejected(MediaDescription offered)
    {
        var m = new MediaDescription
        {
            Kind = offered.Kind,
            KindRaw = offered.KindRaw,
            Protocol = offered.Protocol,
            Mid = offered.Mid,
        };

        // RFC 8866 §5.14 needs at least one format; echoing the offer's list keeps the line valid.
        foreach (string format in offered.Formats)
        {
            m.Formats.Add(format);
        }

        SdpSections.MarkRejected(m);
        return m;
    }
}
