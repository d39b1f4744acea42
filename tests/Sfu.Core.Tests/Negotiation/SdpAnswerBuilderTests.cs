using Sfu.Core.Negotiation;
using Sfu.Core.Tests.Negotiation.Fixtures;

namespace Sfu.Core.Tests.Negotiation;

public class SdpAnswerBuilderTests
{
    private static readonly LocalTransport Transport = new(
        "sfuU", "sfuPasswordSfuPassword12", "sha-256", "AA:BB:CC", DtlsSetup.Passive, "203.0.113.5", 40000);

    private static readonly Dictionary<string, SendStream> NoSenders = [];

    private static SessionDescription Answer(string offer, IReadOnlyDictionary<string, SendStream>? senders = null, LocalTransport? transport = null)
    {
        SdpAnswerResult result = SdpAnswerBuilder.Build(
            SdpAssert.Parse(offer), transport ?? Transport, MediaCapabilities.Default, senders ?? NoSenders, 77, 1);
        Assert.True(result.Success, result.Error);

        // Whatever we build must survive our own writer and parser unchanged.
        SessionDescription reparsed = SdpAssert.Parse(SdpWriter.Write(result.Answer));
        SdpAssert.Equivalent(result.Answer, reparsed);
        return reparsed;
    }

    [Fact]
    public void Chromium_sendrecv_offer_is_answered_recvonly_with_matching_codecs()
    {
        SessionDescription answer = Answer(ChromiumOffers.AudioVideo);

        Assert.True(answer.IceLite);
        Assert.Equal(77UL, answer.SessionId);
        Assert.Equal(["0", "1"], answer.BundleGroup!.Mids);
        Assert.Equal("WMS", answer.MsidSemantic!.Semantic);
        Assert.Equal(2, answer.Media.Count);

        MediaDescription audio = answer.Media[0];
        Assert.Equal("0", audio.Mid);
        Assert.Equal(40000, audio.Port);
        Assert.Equal(new ConnectionData("IN", "IP4", "203.0.113.5"), audio.Connection);
        Assert.Equal(MediaDirection.RecvOnly, audio.Direction); // no sender for mid 0: we only receive
        Assert.Equal(["111"], audio.Formats); // red, G722, PCMU... are not ours
        RtpCodec opus = Assert.Single(audio.Codecs);
        Assert.Equal("opus/48000/2", opus.ToRtpmapValue());
        Assert.Equal("minptime=10;useinbandfec=1", opus.Fmtp);
        Assert.Equal(["transport-cc"], opus.RtcpFeedback); // the offer's only feedback, which we answer with our own
        Assert.Equal(
            [new HeaderExtension(1, MediaCapabilities.AudioLevelUri), new HeaderExtension(2, MediaCapabilities.AbsSendTimeUri), new HeaderExtension(3, MediaCapabilities.TransportCcUri), new HeaderExtension(4, MediaCapabilities.MidUri)],
            audio.Extensions); // the offerer's ids
        Assert.Equal("sfuU", audio.IceUfrag);
        Assert.Equal("sfuPasswordSfuPassword12", audio.IcePwd);
        Assert.Equal(new Fingerprint("sha-256", "AA:BB:CC"), audio.Fingerprint);
        Assert.Equal(DtlsSetup.Passive, audio.Setup);
        Assert.True(audio.RtcpMux);
        Assert.True(audio.RtcpRsize);
        Assert.Equal(new IceCandidate("1", 1, "udp", 2130706431, "203.0.113.5", 40000, "host"), Assert.Single(audio.Candidates));
        Assert.True(audio.EndOfCandidates);
        Assert.Null(audio.Msid);
        Assert.Empty(audio.Ssrcs);

        MediaDescription video = answer.Media[1];
        Assert.Equal(MediaDirection.RecvOnly, video.Direction);

        // VP8, both VP9 profiles, every H264 (packetization-mode 0 and 1) and AV1, each with its
        // rtx, in offer order, offer PTs; red and ulpfec are not forwarded.
        Assert.Equal(["96", "97", "98", "99", "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "127", "125", "39", "40", "45", "46"], video.Formats);
        Assert.Equal(["VP8", "rtx", "VP9", "rtx", "VP9", "rtx", "H264", "rtx", "H264", "rtx", "H264", "rtx", "H264", "rtx", "H264", "rtx", "H264", "rtx", "AV1", "rtx"], video.Codecs.Select(c => c.Name));
        Assert.Equal(96, video.FindCodec(97)!.AssociatedPayloadType);
        Assert.Equal(127, video.FindCodec(125)!.AssociatedPayloadType);
        Assert.Equal(["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"], video.FindCodec(96)!.RtcpFeedback);
        Assert.Empty(video.FindCodec(97)!.RtcpFeedback);
        Assert.Equal("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", video.FindCodec(106)!.Fmtp); // H264 fmtp echoed
        Assert.Equal([2, 3, 4, 10, 11], video.Extensions.Select(e => e.Id)); // abs-send-time, transport-cc, sdes:mid, rtp-stream-id, repaired-rtp-stream-id
    }

    [Fact]
    public void Written_answer_has_the_expected_lines()
    {
        SdpAnswerResult result = SdpAnswerBuilder.Build(SdpAssert.Parse(ChromiumOffers.AudioVideo), Transport, MediaCapabilities.Default, NoSenders, 77, 1);
        string text = SdpWriter.Write(result.Answer!);

        Assert.StartsWith("v=0\r\no=- 77 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\na=group:BUNDLE 0 1\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\na=ice-lite\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\nm=audio 40000 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 203.0.113.5\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\na=candidate:1 1 udp 2130706431 203.0.113.5 40000 typ host\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\na=setup:passive\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\na=rtcp-fb:96 transport-cc\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\na=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("a=end-of-candidates\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Send_stream_for_a_mid_adds_msid_ssrc_and_fid()
    {
        var senders = new Dictionary<string, SendStream>
        {
            ["1"] = new SendStream(1111, 2222, "sfu-cname", "stream-a", "track-v"),
            ["0"] = new SendStream(3333, 4444, "sfu-cname", "stream-a", "track-a"),
        };
        SessionDescription answer = Answer(ChromiumOffers.AudioVideo, senders);

        MediaDescription video = answer.Media[1];
        Assert.Equal(MediaDirection.SendRecv, video.Direction);
        Assert.Equal(new MsidAttribute("stream-a", "track-v"), video.Msid);
        Assert.Equal("FID", Assert.Single(video.SsrcGroups).Semantics);
        Assert.Equal([1111u, 2222u], video.SsrcGroups[0].Ssrcs);
        Assert.Equal(
            [
                new SsrcAttribute(1111, "cname", "sfu-cname"),
                new SsrcAttribute(1111, "msid", "stream-a track-v"),
                new SsrcAttribute(2222, "cname", "sfu-cname"),
                new SsrcAttribute(2222, "msid", "stream-a track-v"),
            ],
            video.Ssrcs);

        // Opus has no rtx here, so the audio RTX ssrc is not announced.
        MediaDescription audio = answer.Media[0];
        Assert.Equal(MediaDirection.SendRecv, audio.Direction);
        Assert.Empty(audio.SsrcGroups);
        Assert.Equal([3333u, 3333u], audio.Ssrcs.Select(s => s.Ssrc));
    }

    [Theory]
    // offered direction, do we have a sender, expected answer (RFC 3264 §6.1 / RFC 8829 §5.3.1)
    [InlineData(MediaDirection.SendRecv, true, MediaDirection.SendRecv)]
    [InlineData(MediaDirection.SendRecv, false, MediaDirection.RecvOnly)]
    [InlineData(MediaDirection.SendOnly, true, MediaDirection.RecvOnly)] // they do not receive: we cannot send
    [InlineData(MediaDirection.SendOnly, false, MediaDirection.RecvOnly)]
    [InlineData(MediaDirection.RecvOnly, true, MediaDirection.SendOnly)]
    [InlineData(MediaDirection.RecvOnly, false, MediaDirection.Inactive)]
    [InlineData(MediaDirection.Inactive, true, MediaDirection.Inactive)]
    [InlineData(MediaDirection.Inactive, false, MediaDirection.Inactive)]
    public void Direction_follows_the_offer_answer_table(MediaDirection offered, bool weHaveSender, MediaDirection expected)
    {
        SessionDescription offer = SdpAssert.Parse(WeriftOffer.AudioVideo);
        offer.Media[1].Direction = offered;
        Dictionary<string, SendStream> senders = weHaveSender ? new() { ["1"] = new SendStream(5, null, "c", "s", "t") } : [];

        SdpAnswerResult result = SdpAnswerBuilder.Build(offer, Transport, MediaCapabilities.Default, senders, 1, 1);

        Assert.True(result.Success, result.Error);
        MediaDescription video = result.Answer.Media[1];
        Assert.Equal(expected, video.Direction);
        bool sending = expected is MediaDirection.SendRecv or MediaDirection.SendOnly;
        Assert.Equal(sending, video.Msid is not null);
        Assert.Equal(sending ? 2 : 0, video.Ssrcs.Count); // cname + msid, no rtx ssrc given
    }

    [Fact]
    public void Unsupported_sections_are_rejected_with_port_zero_and_mid_kept()
    {
        SessionDescription offer = SdpAssert.Parse(ChromiumOffers.SimulcastWithDataChannel);
        SessionDescription answer = Answer(ChromiumOffers.SimulcastWithDataChannel);

        MediaDescription data = answer.Media[1];
        Assert.True(data.IsRejected);
        Assert.Equal("1", data.Mid);
        Assert.Equal("UDP/DTLS/SCTP", data.Protocol);
        Assert.Equal(["webrtc-datachannel"], data.Formats);
        Assert.Empty(data.Candidates);
        Assert.Null(data.IceUfrag);
        Assert.Equal(["0"], answer.BundleGroup!.Mids); // rejected sections leave the bundle

        // The simulcast video is answered: every rid it sends, received (RFC 8853 §5.3).
        Assert.Equal(MediaDirection.RecvOnly, answer.Media[0].Direction);
        Assert.Equal(offer.Media[0].Rids.Select(r => r.Id), answer.Media[0].Rids.Select(r => r.Id));
        Assert.All(answer.Media[0].Rids, r => Assert.Equal(RidDirection.Recv, r.Direction));
        Assert.StartsWith("recv ", answer.Media[0].Simulcast, StringComparison.Ordinal);
        Assert.Equal(offer.Media[0].Mid, answer.Media[0].Mid);
    }

    [Fact]
    public void Section_without_a_matching_codec_is_rejected()
    {
        SessionDescription offer = SdpAssert.Parse(ChromiumOffers.AudioVideo);
        offer.Media[0].Codecs.Remove(offer.Media[0].FindCodec(111)!); // no opus left

        SdpAnswerResult result = SdpAnswerBuilder.Build(offer, Transport, MediaCapabilities.Default, NoSenders, 1, 1);

        Assert.True(result.Success, result.Error);
        Assert.True(result.Answer.Media[0].IsRejected);
        Assert.Equal(["111", "63", "9", "0", "8", "13", "110", "126"], result.Answer.Media[0].Formats);
        Assert.False(result.Answer.Media[1].IsRejected);
        Assert.Equal(["1"], result.Answer.BundleGroup!.Mids);
    }

    [Fact]
    public void Firefox_offer_with_session_level_fingerprint_is_answered()
    {
        SessionDescription answer = Answer(FirefoxOffer.AudioVideo, transport: Transport with { Setup = DtlsSetup.Active });

        Assert.Equal(["109"], answer.Media[0].Formats);
        Assert.Equal(["120", "124", "121", "125", "126", "127", "97", "98"], answer.Media[1].Formats); // mode-0 H264 (97) too
        Assert.Equal(["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"], answer.Media[1].FindCodec(120)!.RtcpFeedback);
        Assert.Equal(DtlsSetup.Active, answer.Media[0].Setup);
        Assert.Equal([3, 4, 7], answer.Media[1].Extensions.Select(e => e.Id)); // Firefox's ids; 7 is transport-cc
    }

    [Fact]
    public void Wildcard_feedback_counts_for_every_codec()
    {
        SessionDescription offer = SdpAssert.Parse(WeriftOffer.AudioVideo);
        offer.Media[1].Codecs[0].RtcpFeedback.Clear();
        offer.Media[1].WildcardRtcpFeedback.Add("nack");
        offer.Media[1].WildcardRtcpFeedback.Add("transport-cc");

        SdpAnswerResult result = SdpAnswerBuilder.Build(offer, Transport, MediaCapabilities.Default, NoSenders, 1, 1);

        Assert.Equal(["nack", "transport-cc"], result.Answer!.Media[1].FindCodec(96)!.RtcpFeedback);
    }

    [Theory]
    // what is wrong with the offer, expected words of the error
    [InlineData("no-bundle", "no a=group:BUNDLE")]
    [InlineData("no-mid", "has no a=mid")]
    [InlineData("no-rtcp-mux", "no a=rtcp-mux")]
    [InlineData("no-fingerprint", "no a=fingerprint")]
    [InlineData("no-ufrag", "no a=ice-ufrag/a=ice-pwd")]
    [InlineData("no-pwd", "no a=ice-ufrag/a=ice-pwd")]
    [InlineData("offer-passive", "the answer must be active")]
    [InlineData("offer-holdconn", "holdconn")]
    [InlineData("no-media", "no m= sections")]
    public void Unanswerable_offers_give_a_reason(string defect, string expected)
    {
        SessionDescription offer = SdpAssert.Parse(WeriftOffer.AudioVideo);
        MediaDescription video = offer.Media[1];
        switch (defect)
        {
            case "no-bundle": offer.Groups.Clear(); break;
            case "no-mid": video.Mid = null; break;
            case "no-rtcp-mux": video.RtcpMux = false; break;
            case "no-fingerprint": video.Fingerprint = null; break;
            case "no-ufrag": video.IceUfrag = null; break;
            case "no-pwd": video.IcePwd = null; break;
            case "offer-passive": video.Setup = DtlsSetup.Passive; break;
            case "offer-holdconn": video.Setup = DtlsSetup.HoldConn; break;
            case "no-media": offer.Media.Clear(); break;
        }

        SdpAnswerResult result = SdpAnswerBuilder.Build(offer, Transport, MediaCapabilities.Default, NoSenders, 1, 1);

        Assert.False(result.Success);
        Assert.Null(result.Answer);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Our_setup_must_be_a_role()
    {
        SdpAnswerResult result = SdpAnswerBuilder.Build(
            SdpAssert.Parse(WeriftOffer.AudioVideo), Transport with { Setup = DtlsSetup.ActPass }, MediaCapabilities.Default, NoSenders);

        Assert.False(result.Success);
        Assert.Contains("active or passive", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Offer_setup_active_conflicts_with_our_active()
    {
        SessionDescription offer = SdpAssert.Parse(WeriftOffer.AudioVideo);
        offer.Media[0].Setup = DtlsSetup.Active;

        SdpAnswerResult result = SdpAnswerBuilder.Build(offer, Transport with { Setup = DtlsSetup.Active }, MediaCapabilities.Default, NoSenders, 1, 1);

        Assert.False(result.Success);
        Assert.Contains("mid 0", result.Error, StringComparison.Ordinal);
        Assert.Contains("must be passive", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Section_outside_the_bundle_is_rejected()
    {
        SessionDescription offer = SdpAssert.Parse(WeriftOffer.AudioVideo);
        offer.Groups[0] = new SdpGroup("BUNDLE", ["0"]);

        SdpAnswerResult result = SdpAnswerBuilder.Build(offer, Transport, MediaCapabilities.Default, NoSenders, 1, 1);

        Assert.True(result.Success, result.Error);
        Assert.True(result.Answer.Media[1].IsRejected);
        Assert.Equal(["0"], result.Answer.BundleGroup!.Mids);
    }

    [Fact]
    public void Ipv6_candidate_address_gives_an_ip6_connection_line()
    {
        SessionDescription answer = Answer(WeriftOffer.AudioVideo, transport: Transport with { CandidateAddress = "2001:db8::5" });
        Assert.Equal(new ConnectionData("IN", "IP6", "2001:db8::5"), answer.Media[0].Connection);
        Assert.Equal("2001:db8::5", answer.Media[0].Candidates[0].Address);
    }

    [Fact]
    public void Default_session_ids_are_random_and_positive_as_signed()
    {
        ulong a = SdpAnswerBuilder.NewSessionId();
        ulong b = SdpAnswerBuilder.NewSessionId();
        Assert.NotEqual(a, b);
        Assert.True(a <= long.MaxValue && b <= long.MaxValue);
    }
}
