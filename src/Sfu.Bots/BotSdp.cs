using System.Net;
using Sfu.Core;
using Sfu.Core.Negotiation;

namespace Sfu.Bots;

/// <summary>
/// The bot's side of offer/answer (RFC 3264, JSEP RFC 8829) on top of the Core negotiation model:
/// its own offer (Opus + VP8, BUNDLE, rtcp-mux), answers to the SFU's re-offers, and what it
/// needs to read out of the SFU's descriptions.
/// </summary>
internal static class BotSdp
{
    public const string AudioMid = "0";
    public const string VideoMid = "1";
    public const int AbsSendTimeId = 3;
    public const byte OpusPayloadType = 111;
    public const byte Vp8PayloadType = 96;

    /// <summary>Opus per RFC 7587 §7: always opus/48000/2.</summary>
    public static RtpCodec Opus() => new()
    {
        PayloadType = OpusPayloadType,
        Name = "opus",
        ClockRate = 48000,
        Channels = 2,
        Fmtp = "minptime=10;useinbandfec=1",
    };

    /// <summary>VP8 per RFC 7741 §6.1, with NACK and PLI feedback (RFC 4585 §4.2).</summary>
    public static RtpCodec Vp8()
    {
        var codec = new RtpCodec { PayloadType = Vp8PayloadType, Name = "VP8", ClockRate = 90000 };
        codec.RtcpFeedback.Add("nack");
        codec.RtcpFeedback.Add("nack pli");
        return codec;
    }

    public static string BuildOffer(LocalTransport transport, SendStream? audio, SendStream? video, ulong sessionId)
    {
        HeaderExtension[] audioExtensions = [new HeaderExtension(AbsSendTimeId, MediaCapabilities.AbsSendTimeUri)];
        OfferSection[] sections =
        [
            new(AudioMid, MediaKind.Audio, audio is null ? MediaDirection.RecvOnly : MediaDirection.SendOnly, [Opus()], audioExtensions, audio),
            new(VideoMid, MediaKind.Video, video is null ? MediaDirection.RecvOnly : MediaDirection.SendOnly, [Vp8()], [], video),
        ];
        SessionDescription offer = SdpOfferBuilder.Build(transport, sections, sessionId, 1);
        MarkFullAgent(offer);
        return SdpWriter.Write(offer);
    }

    /// <summary>Answers an offer from the SFU: our published sections stay sendonly, its new sections are received.</summary>
    public static string? BuildAnswer(SessionDescription offer, LocalTransport transport, IReadOnlyDictionary<string, SendStream> senders, ulong sessionId, ulong version, out string? error)
    {
        SdpAnswerResult result = SdpAnswerBuilder.Build(offer, transport, MediaCapabilities.Default, senders, sessionId, version);
        if (!result.Success)
        {
            error = result.Error;
            return null;
        }

        MarkFullAgent(result.Answer);
        error = null;
        return SdpWriter.Write(result.Answer);
    }

    /// <summary>The peer's ICE and DTLS parameters from the first usable m-section (all are bundled).</summary>
    public static RemoteTransport? ReadTransport(SessionDescription description, out string? error)
    {
        MediaDescription? first = null;
        foreach (MediaDescription m in description.Media)
        {
            if (!m.IsRejected)
            {
                first = m;
                break;
            }
        }

        if (first is null)
        {
            error = "no usable m-section";
            return null;
        }

        string? ufrag = first.IceUfrag ?? description.IceUfrag;
        string? pwd = first.IcePwd ?? description.IcePwd;
        Fingerprint? fingerprint = first.Fingerprint ?? description.Fingerprint;
        if (!Sfu.Core.Ice.IceCredentials.IsValidUfrag(ufrag) || !Sfu.Core.Ice.IceCredentials.IsValidPassword(pwd) || fingerprint is null)
        {
            error = "missing or invalid a=ice-ufrag / a=ice-pwd / a=fingerprint";
            return null;
        }

        var candidates = new List<(IPEndPoint, uint)>();
        foreach (MediaDescription m in description.Media)
        {
            foreach (IceCandidate c in m.Candidates)
            {
                if (c.Component == 1
                    && string.Equals(c.Transport, "udp", StringComparison.OrdinalIgnoreCase)
                    && IPAddress.TryParse(c.Address, out IPAddress? address))
                {
                    candidates.Add((new IPEndPoint(address, c.Port), c.Priority));
                }
            }
        }

        error = null;
        return new RemoteTransport(
            new Sfu.Core.Ice.IceCredentials(ufrag!, pwd!),
            fingerprint,
            first.Setup ?? description.Setup ?? DtlsSetup.Active,
            candidates);
    }

    /// <summary>The SSRCs the SFU announces it will send (its sendonly/sendrecv sections).</summary>
    public static IEnumerable<AnnouncedTrack> ReadSentTracks(SessionDescription offer)
    {
        foreach (MediaDescription m in offer.Media)
        {
            if (m.IsRejected || m.Mid is null || m.EffectiveDirection is not (MediaDirection.SendOnly or MediaDirection.SendRecv))
            {
                continue;
            }

            if (m.Ssrcs.Count == 0 || m.Codecs.Count == 0)
            {
                continue;
            }

            uint ssrc = m.Ssrcs[0].Ssrc;
            foreach (SsrcGroup group in m.SsrcGroups)
            {
                if (string.Equals(group.Semantics, "FID", StringComparison.OrdinalIgnoreCase) && group.Ssrcs.Count > 0)
                {
                    ssrc = group.Ssrcs[0];
                }
            }

            MsidAttribute? msid = m.Msid;
            string streamId = msid?.StreamId ?? "-";
            string trackId = msid?.TrackId ?? m.Mid;
            foreach (SsrcAttribute attribute in m.Ssrcs)
            {
                if (attribute.Ssrc == ssrc && attribute.Name == "msid" && attribute.Value is string value)
                {
                    string[] parts = value.Split(' ');
                    streamId = parts[0];
                    trackId = parts.Length > 1 ? parts[1] : trackId;
                }
            }

            int absSendTimeId = m.FindExtension(MediaCapabilities.AbsSendTimeUri)?.Id ?? 0;
            yield return new AnnouncedTrack(m.Mid, m.Kind, ssrc, streamId, trackId, m.Codecs[0].ClockRate, absSendTimeId);
        }
    }

    /// <summary>The id the answer gave abs-send-time in our audio section, or 0.</summary>
    public static int NegotiatedAbsSendTimeId(SessionDescription answer)
        => answer.FindMedia(AudioMid)?.FindExtension(MediaCapabilities.AbsSendTimeUri)?.Id ?? 0;

    private static void MarkFullAgent(SessionDescription description)
    {
        // The Core builders describe the SFU, an ICE-lite agent; the bot is a full agent (RFC 8445 §2.5).
        description.IceLite = false;
    }
}
