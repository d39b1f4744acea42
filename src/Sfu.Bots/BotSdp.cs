using System.Net;
using Sfu.Core;
using Sfu.Core.Negotiation;
using Sfu.Core.Net;

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
    public const int MidId = 4;
    public const int RtpStreamIdId = 10;
    public const int TransportCcId = 5;
    public const byte OpusPayloadType = 111;
    public const byte Vp8PayloadType = 96;

    /// <summary>The video section's mid as the sdes:mid header extension carries it (RFC 8843 §15.2).</summary>
    public static ReadOnlySpan<byte> VideoMidBytes => "1"u8;

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

    /// <param name="simulcast">The encodings to offer as simulcast (lowest first), or null for one stream.</param>
    /// <param name="transportFeedback">Offer transport-wide congestion control, so the SFU numbers what it sends us and we report arrivals.</param>
    public static string BuildOffer(LocalTransport transport, SendStream? audio, SendStream? video, IReadOnlyList<VideoEncoding>? simulcast, ulong sessionId, bool transportFeedback = false)
    {
        var audioExtensions = new List<HeaderExtension> { new(AbsSendTimeId, MediaCapabilities.AbsSendTimeUri) };

        // Simulcast layers are told apart by the mid and rid their packets carry (RFC 8852 §3.1).
        var videoExtensions = new List<HeaderExtension>();
        if (video is not null && simulcast is not null)
        {
            videoExtensions.Add(new HeaderExtension(MidId, MediaCapabilities.MidUri));
            videoExtensions.Add(new HeaderExtension(RtpStreamIdId, MediaCapabilities.RtpStreamIdUri));
        }

        RtpCodec opus = Opus();
        RtpCodec vp8 = Vp8();
        if (transportFeedback)
        {
            // The SFU offers us in its sections what we offered in ours: one id for the BUNDLE group.
            audioExtensions.Add(new HeaderExtension(TransportCcId, MediaCapabilities.TransportCcUri));
            videoExtensions.Add(new HeaderExtension(TransportCcId, MediaCapabilities.TransportCcUri));
            opus.RtcpFeedback.Add("transport-cc");
            vp8.RtcpFeedback.Add("transport-cc");
        }

        OfferSection[] sections =
        [
            new(AudioMid, MediaKind.Audio, audio is null ? MediaDirection.RecvOnly : MediaDirection.SendOnly, [opus], audioExtensions, audio),
            new(VideoMid, MediaKind.Video, video is null ? MediaDirection.RecvOnly : MediaDirection.SendOnly, [vp8], videoExtensions, video),
        ];
        SessionDescription offer = SdpOfferBuilder.Build(transport, sections, sessionId, 1);
        MarkFullAgent(offer);
        if (video is not null)
        {
            MarkSimulcastSend(offer, simulcast);
        }

        return SdpWriter.Write(offer);
    }

    /// <summary>Answers an offer from the SFU: our published sections stay sendonly, its new sections are received.</summary>
    public static string? BuildAnswer(SessionDescription offer, LocalTransport transport, IReadOnlyDictionary<string, SendStream> senders, IReadOnlyList<VideoEncoding>? simulcast, ulong sessionId, ulong version, out string? error)
    {
        SdpAnswerResult result = SdpAnswerBuilder.Build(offer, transport, MediaCapabilities.Default, senders, sessionId, version);
        if (!result.Success)
        {
            error = result.Error;
            return null;
        }

        MarkFullAgent(result.Answer);
        if (senders.ContainsKey(VideoMid))
        {
            // The SFU's re-offer lists our rids as recv; the answer keeps sending all of them (RFC 8853 §5.3).
            MarkSimulcastSend(result.Answer, simulcast);
        }

        error = null;
        return SdpWriter.Write(result.Answer);
    }

    /// <summary>
    /// The peer's ICE and DTLS parameters from the first usable m-section (all are bundled), with
    /// its candidates of <paramref name="protocol"/> (for TCP, the passive ones an active candidate can connect to).
    /// </summary>
    public static RemoteTransport? ReadTransport(SessionDescription description, TransportProtocol protocol, out string? error)
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
                    && string.Equals(c.Transport, protocol == TransportProtocol.Tcp ? "tcp" : "udp", StringComparison.OrdinalIgnoreCase)
                    && (protocol == TransportProtocol.Udp || (c.Extensions?.Contains("tcptype passive", StringComparison.Ordinal) ?? false))
                    && IPAddress.TryParse(c.Address, out IPAddress? address))
                {
                    candidates.Add((new IPEndPoint(address, c.Port), c.Priority));
                }
            }
        }

        if (candidates.Count == 0 && protocol == TransportProtocol.Tcp)
        {
            error = "no passive TCP candidate (is the server's ICE-TCP listener on?)";
            return null;
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

    /// <summary>
    /// The id of the transport-wide sequence number extension in what the SFU sends us, or 0:
    /// one id for the whole BUNDLE group (RFC 8843 §9.2), so the first section naming it.
    /// </summary>
    public static int ReadTransportCcId(SessionDescription offer)
    {
        foreach (MediaDescription m in offer.Media)
        {
            if (!m.IsRejected && m.FindExtension(MediaCapabilities.TransportCcUri) is HeaderExtension extension)
            {
                return extension.Id;
            }
        }

        return 0;
    }

    /// <summary>The id the answer gave abs-send-time in our audio section, or 0.</summary>
    public static int NegotiatedAbsSendTimeId(SessionDescription answer)
        => answer.FindMedia(AudioMid)?.FindExtension(MediaCapabilities.AbsSendTimeUri)?.Id ?? 0;

    /// <summary>The ids the answer gave sdes:mid and sdes:rtp-stream-id in our video section, or 0.</summary>
    public static (int MidId, int RidId) NegotiatedStreamIdIds(SessionDescription answer)
    {
        MediaDescription? video = answer.FindMedia(VideoMid);
        return (video?.FindExtension(MediaCapabilities.MidUri)?.Id ?? 0, video?.FindExtension(MediaCapabilities.RtpStreamIdUri)?.Id ?? 0);
    }

    /// <summary>
    /// Turns our video section into a simulcast send (RFC 8853 §5.1): one a=rid send per encoding
    /// with its size as restrictions (RFC 8851 §4), a=simulcast:send in the same order, lowest
    /// first, and no a=ssrc lines: the SFU learns each SSRC from the rid its packets carry.
    /// </summary>
    private static void MarkSimulcastSend(SessionDescription description, IReadOnlyList<VideoEncoding>? simulcast)
    {
        if (simulcast is not { Count: > 0 } || description.FindMedia(VideoMid) is not { IsRejected: false } video)
        {
            return;
        }

        video.Ssrcs.Clear();
        video.SsrcGroups.Clear();
        video.Rids.Clear();
        foreach (VideoEncoding encoding in simulcast)
        {
            video.Rids.Add(new RidAttribute(encoding.Rid!, RidDirection.Send, $"max-width={encoding.Width};max-height={encoding.Height}"));
        }

        video.Simulcast = "send " + string.Join(';', simulcast.Select(e => e.Rid));
    }

    private static void MarkFullAgent(SessionDescription description)
    {
        // The Core builders describe the SFU, an ICE-lite agent; the bot is a full agent (RFC 8445 §2.5).
        description.IceLite = false;
    }
}
