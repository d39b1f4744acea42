using Sfu.Core.Negotiation;
using Sfu.Core.Tests.Negotiation.Fixtures;

namespace Sfu.Core.Tests.Negotiation;

public class SdpOfferBuilderTests
{
    private static readonly LocalTransport Transport = new(
        "sfuU", "sfuPasswordSfuPassword12", "sha-256", "AA:BB:CC", DtlsSetup.Passive, "203.0.113.5", 40000);

    private static (IReadOnlyList<RtpCodec> Audio, IReadOnlyList<RtpCodec> Video, IReadOnlyList<HeaderExtension> AudioExt, IReadOnlyList<HeaderExtension> VideoExt) Negotiated()
    {
        SdpAnswerResult answer = SdpAnswerBuilder.Build(
            SdpAssert.Parse(ChromiumOffers.AudioVideo), Transport, MediaCapabilities.Default, new Dictionary<string, SendStream>(), 9, 1);
        Assert.True(answer.Success, answer.Error);
        MediaDescription audio = answer.Answer.Media[0];
        MediaDescription video = answer.Answer.Media[1];
        return (audio.Codecs.ToList(), video.Codecs.Take(2).ToList(), audio.Extensions.ToList(), video.Extensions.ToList());
    }

    [Fact]
    public void Renegotiation_offer_keeps_order_appends_and_parses_back()
    {
        var (audio, video, audioExt, videoExt) = Negotiated();
        OfferSection[] sections =
        [
            new("0", MediaKind.Audio, MediaDirection.RecvOnly, audio, audioExt), // publisher's mic, unchanged
            new("1", MediaKind.Video, MediaDirection.RecvOnly, video, videoExt), // publisher's camera, unchanged
            new("2", MediaKind.Video, MediaDirection.SendOnly, video, videoExt, new SendStream(1111, 2222, "sfu", "peer-b", "cam-b")), // new subscription
            new("3", MediaKind.Audio, MediaDirection.SendOnly, audio, audioExt, new SendStream(3333, null, "sfu", "peer-b", "mic-b")), // new subscription
        ];

        SessionDescription built = SdpOfferBuilder.Build(Transport, sections, 9, 2);
        string text = SdpWriter.Write(built);
        SessionDescription offer = SdpAssert.Parse(text);
        SdpAssert.Equivalent(built, offer);

        Assert.Equal(9UL, offer.SessionId);
        Assert.Equal(2UL, offer.SessionVersion);
        Assert.True(offer.IceLite);
        Assert.Equal(["0", "1", "2", "3"], offer.BundleGroup!.Mids);
        Assert.Equal(["0", "1", "2", "3"], offer.Media.Select(m => m.Mid));
        Assert.Equal(
            [MediaDirection.RecvOnly, MediaDirection.RecvOnly, MediaDirection.SendOnly, MediaDirection.SendOnly],
            offer.Media.Select(m => m.EffectiveDirection));
        Assert.All(offer.Media, m =>
        {
            Assert.Equal(40000, m.Port);
            Assert.Equal("UDP/TLS/RTP/SAVPF", m.Protocol);
            Assert.Equal("sfuU", m.IceUfrag);
            Assert.Equal(DtlsSetup.Passive, m.Setup);
            Assert.True(m.RtcpMux);
            Assert.True(m.EndOfCandidates);
            Assert.Equal("203.0.113.5", Assert.Single(m.Candidates).Address);
        });

        Assert.Null(offer.Media[1].Msid); // recvonly: nothing of ours to announce
        Assert.Empty(offer.Media[1].Ssrcs);

        MediaDescription cam = offer.Media[2];
        Assert.Equal(["96", "97"], cam.Formats);
        Assert.Equal(new MsidAttribute("peer-b", "cam-b"), cam.Msid);
        Assert.Equal([1111u, 2222u], Assert.Single(cam.SsrcGroups).Ssrcs);
        Assert.Equal(4, cam.Ssrcs.Count);
        Assert.Equal([2, 3, 4, 10, 11], cam.Extensions.Select(e => e.Id));

        MediaDescription mic = offer.Media[3];
        Assert.Empty(mic.SsrcGroups);
        Assert.Equal([new SsrcAttribute(3333, "cname", "sfu"), new SsrcAttribute(3333, "msid", "peer-b mic-b")], mic.Ssrcs);

        Assert.Contains("\r\nm=video 40000 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 203.0.113.5\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\na=ssrc-group:FID 1111 2222\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\na=msid:peer-b cam-b\r\n", text, StringComparison.Ordinal);
    }

    /// <summary>RFC 8853 §5.3: each offer renegotiates simulcast, so a re-offer keeps receiving every layer the publisher sends.</summary>
    [Fact]
    public void A_publisher_simulcast_section_is_re_offered_with_its_rids_as_recv()
    {
        var (_, video, _, videoExt) = Negotiated();
        OfferSection[] sections =
        [
            new("1", MediaKind.Video, MediaDirection.RecvOnly, video, videoExt, ReceiveRids: ["q", "h", "f"]),
            new("2", MediaKind.Video, MediaDirection.SendOnly, video, videoExt, new SendStream(1111, 2222, "sfu", "peer-b", "cam-b"), ReceiveRids: ["q"]),
        ];

        SessionDescription offer = SdpAssert.Parse(SdpWriter.Write(SdpOfferBuilder.Build(Transport, sections, 9, 2)));

        Assert.Equal(["q", "h", "f"], offer.Media[0].Rids.Select(r => r.Id));
        Assert.All(offer.Media[0].Rids, r => Assert.Equal(RidDirection.Recv, r.Direction));
        Assert.Equal("recv q;h;f", offer.Media[0].Simulcast);
        // We send in that section: there is nothing of theirs to receive as simulcast.
        Assert.Empty(offer.Media[1].Rids);
        Assert.Null(offer.Media[1].Simulcast);
    }

    [Fact]
    public void Stopped_section_is_port_zero_inactive_and_out_of_bundle()
    {
        var (audio, video, audioExt, videoExt) = Negotiated();
        OfferSection[] sections =
        [
            new("0", MediaKind.Audio, MediaDirection.RecvOnly, audio, audioExt),
            new("1", MediaKind.Video, MediaDirection.SendOnly, video, videoExt, new SendStream(1, 2, "c", "s", "t"), Rejected: true),
            new("2", MediaKind.Video, MediaDirection.SendOnly, [], [], Rejected: true),
        ];

        SessionDescription offer = SdpAssert.Parse(SdpWriter.Write(SdpOfferBuilder.Build(Transport, sections, 9, 3)));

        Assert.Equal(["0"], offer.BundleGroup!.Mids);
        MediaDescription stopped = offer.Media[1];
        Assert.True(stopped.IsRejected);
        Assert.Equal("1", stopped.Mid);
        Assert.Equal(MediaDirection.Inactive, stopped.Direction);
        Assert.Null(stopped.Msid);
        Assert.Empty(stopped.Ssrcs);
        Assert.Empty(stopped.Candidates);
        Assert.Equal(["96", "97"], stopped.Formats);
        Assert.Equal(["0"], offer.Media[2].Formats); // placeholder format keeps the m= line valid
    }

    [Fact]
    public void Actpass_is_allowed_in_offers()
    {
        var (audio, _, audioExt, _) = Negotiated();
        SessionDescription offer = SdpOfferBuilder.Build(
            Transport with { Setup = DtlsSetup.ActPass }, [new OfferSection("0", MediaKind.Audio, MediaDirection.SendRecv, audio, audioExt)], 1, 1);
        Assert.Equal(DtlsSetup.ActPass, offer.Media[0].Setup);
    }

    [Fact]
    public void Offer_codecs_are_copies_not_shared_lists()
    {
        var (audio, _, audioExt, _) = Negotiated();
        SessionDescription offer = SdpOfferBuilder.Build(Transport, [new OfferSection("0", MediaKind.Audio, MediaDirection.SendRecv, audio, audioExt)], 1, 1);
        offer.Media[0].Codecs[0].RtcpFeedback.Add("ccm fir");
        Assert.DoesNotContain("ccm fir", audio[0].RtcpFeedback);
    }

    [Theory]
    [InlineData("dup")] // two sections with one mid
    [InlineData("empty")] // empty mid
    [InlineData("nocodec")] // live section without codecs
    public void Programming_errors_throw(string defect)
    {
        var (audio, _, audioExt, _) = Negotiated();
        OfferSection[] sections = defect switch
        {
            "dup" => [new("0", MediaKind.Audio, MediaDirection.SendRecv, audio, audioExt), new("0", MediaKind.Audio, MediaDirection.SendRecv, audio, audioExt)],
            "empty" => [new(string.Empty, MediaKind.Audio, MediaDirection.SendRecv, audio, audioExt)],
            _ => [new("0", MediaKind.Audio, MediaDirection.SendRecv, [], audioExt)],
        };

        Assert.Throws<ArgumentException>(() => SdpOfferBuilder.Build(Transport, sections, 1, 1));
    }
}
