using Sfu.Core.Negotiation;
using Sfu.Core.Tests.Negotiation.Fixtures;

namespace Sfu.Core.Tests.Negotiation;

public class SdpParserFixtureTests
{
    [Theory]
    [InlineData(false)] // LF, as some signaling layers hand it over
    [InlineData(true)] // CRLF, as RFC 8866 §5 and browsers write it
    public void Chromium_audio_video_offer(bool crlf)
    {
        string text = crlf ? SdpText.Crlf(ChromiumOffers.AudioVideo) : ChromiumOffers.AudioVideo;
        SessionDescription sdp = SdpAssert.Parse(text);

        Assert.Equal("-", sdp.OriginUsername);
        Assert.Equal(4611731400430051336UL, sdp.SessionId);
        Assert.Equal(2UL, sdp.SessionVersion);
        Assert.Equal("127.0.0.1", sdp.OriginAddress);
        Assert.Equal("-", sdp.SessionName);
        Assert.Equal("0 0", sdp.Timing);
        Assert.False(sdp.IceLite);
        Assert.Equal(["0", "1"], sdp.BundleGroup!.Mids);
        Assert.Equal("WMS", sdp.MsidSemantic!.Semantic);
        Assert.Equal(["dd2e1609-6e36-4ab0-91bc-52d9230d977e"], sdp.MsidSemantic.Ids);
        Assert.True(sdp.ExtmapAllowMixed);
        Assert.Empty(sdp.Attributes);
        Assert.Equal(2, sdp.Media.Count);

        MediaDescription audio = sdp.Media[0];
        Assert.Equal(MediaKind.Audio, audio.Kind);
        Assert.Equal(54321, audio.Port);
        Assert.Equal("UDP/TLS/RTP/SAVPF", audio.Protocol);
        Assert.Equal(["111", "63", "9", "0", "8", "13", "110", "126"], audio.Formats);
        Assert.Equal(new ConnectionData("IN", "IP4", "192.168.1.20"), audio.Connection);
        Assert.Equal("0", audio.Mid);
        Assert.Equal(MediaDirection.SendRecv, audio.Direction);
        Assert.Equal("Kx3n", audio.IceUfrag);
        Assert.Equal("Qp4bM2z1cW9eTzYvXk8aLr5u", audio.IcePwd);
        Assert.Equal("trickle", audio.IceOptions);
        Assert.Equal("sha-256", audio.Fingerprint!.Algorithm);
        Assert.StartsWith("A5:4D:CA", audio.Fingerprint.Value, StringComparison.Ordinal);
        Assert.Equal(DtlsSetup.ActPass, audio.Setup);
        Assert.True(audio.RtcpMux);
        Assert.True(audio.RtcpRsize);
        Assert.Equal(8, audio.Codecs.Count);
        RtpCodec opus = audio.FindCodec(111)!;
        Assert.Equal("opus", opus.Name);
        Assert.Equal(48000, opus.ClockRate);
        Assert.Equal(2, opus.Channels);
        Assert.Equal("minptime=10;useinbandfec=1", opus.Fmtp);
        Assert.Equal("1", opus.Parameters["useinbandfec"]);
        Assert.Equal(["transport-cc"], opus.RtcpFeedback);
        Assert.Equal("red", audio.FindCodec(63)!.Name);
        Assert.Null(audio.FindCodec(9)!.Channels);
        Assert.Equal(4, audio.Extensions.Count);
        Assert.Equal(new HeaderExtension(1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"), audio.Extensions[0]);
        Assert.Equal(new MsidAttribute("dd2e1609-6e36-4ab0-91bc-52d9230d977e", "6a50df4d-b4d6-4a3a-8746-9a4d8cdb305f"), audio.Msid);
        Assert.Equal(new SsrcAttribute(714537754, "cname", "hV2q8rXk0aS9tLw1"), audio.Ssrcs[0]);
        Assert.Equal("msid", audio.Ssrcs[1].Name);
        Assert.Equal(3, audio.Candidates.Count);
        Assert.Equal(
            new IceCandidate("2999745851", 1, "udp", 2122260223, "192.168.1.20", 54321, "host", "generation 0 network-id 1 network-cost 10"),
            audio.Candidates[0]);
        Assert.Equal("srflx", audio.Candidates[1].Type);
        Assert.Equal("tcp", audio.Candidates[2].Transport);
        Assert.False(audio.EndOfCandidates);
        Assert.Equal([new SdpAttribute("rtcp", "9 IN IP4 0.0.0.0")], audio.Attributes);

        MediaDescription video = sdp.Media[1];
        Assert.Equal(MediaKind.Video, video.Kind);
        Assert.Equal(23, video.Codecs.Count);
        Assert.Equal(11, video.Extensions.Count);
        Assert.Equal(14, video.Extensions[0].Id);
        Assert.Equal(11, video.FindExtension("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id")!.Id);
        RtpCodec vp8 = video.FindCodec(96)!;
        Assert.Equal(["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"], vp8.RtcpFeedback);
        Assert.Equal(97, video.FindRtxFor(96)!.PayloadType);
        Assert.Equal(96, video.FindCodec(97)!.AssociatedPayloadType);
        Assert.True(video.FindCodec(97)!.IsRtx);
        Assert.Equal("4d001f", video.FindCodec(127)!.Parameters["profile-level-id"]);
        Assert.Equal(125, video.FindRtxFor(127)!.PayloadType);
        Assert.Null(video.FindRtxFor(114)); // ulpfec has no rtx
        Assert.Equal(new SsrcGroup("FID", [1929245186u, 1725048950u]).Semantics, video.SsrcGroups[0].Semantics);
        Assert.Equal([1929245186u, 1725048950u], video.SsrcGroups[0].Ssrcs);
        Assert.Equal(4, video.Ssrcs.Count);
    }

    [Fact]
    public void Chromium_simulcast_and_data_channel()
    {
        SessionDescription sdp = SdpAssert.Parse(SdpText.Crlf(ChromiumOffers.SimulcastWithDataChannel));

        MediaDescription video = sdp.Media[0];
        Assert.Equal(9, video.Port);
        Assert.Equal("0.0.0.0", video.Connection!.Address);
        Assert.Equal(MediaDirection.SendOnly, video.Direction);
        Assert.Empty(video.Candidates);
        Assert.Empty(video.Ssrcs);
        Assert.Equal(
            [new RidAttribute("q", RidDirection.Send, null), new RidAttribute("h", RidDirection.Send, null), new RidAttribute("f", RidDirection.Send, null)],
            video.Rids);
        Assert.Equal("send q;h;f", video.Simulcast);

        MediaDescription data = sdp.Media[1];
        Assert.Equal(MediaKind.Application, data.Kind);
        Assert.Equal("UDP/DTLS/SCTP", data.Protocol);
        Assert.Equal(["webrtc-datachannel"], data.Formats);
        Assert.Empty(data.Codecs);
        Assert.Null(data.Direction);
        Assert.Equal(MediaDirection.SendRecv, data.EffectiveDirection);
        Assert.Equal([new SdpAttribute("sctp-port", "5000"), new SdpAttribute("max-message-size", "262144")], data.Attributes);
    }

    [Fact]
    public void Chromium_screen_share_renegotiation_has_three_sections()
    {
        SessionDescription sdp = SdpAssert.Parse(ChromiumOffers.ScreenShareRenegotiation);

        Assert.Equal(3UL, sdp.SessionVersion);
        Assert.Equal(["0", "1", "2"], sdp.BundleGroup!.Mids);
        Assert.Equal(["dd2e1609-6e36-4ab0-91bc-52d9230d977e", "7c26847f-0316-409e-bbbb-e9eaa8948c89"], sdp.MsidSemantic!.Ids);
        Assert.Equal(
            [MediaDirection.RecvOnly, MediaDirection.SendRecv, MediaDirection.SendOnly],
            sdp.Media.Select(m => m.EffectiveDirection));
        Assert.Null(sdp.Media[0].Msid);
        Assert.Equal("7c26847f-0316-409e-bbbb-e9eaa8948c89", sdp.Media[2].Msid!.StreamId);
        Assert.Equal([2359826449u, 1193309983u], sdp.Media[2].SsrcGroups[0].Ssrcs);
        Assert.Same(sdp.Media[2], sdp.FindMedia("2"));
    }

    [Fact]
    public void Firefox_offer_with_fmtp_before_rtpmap()
    {
        SessionDescription sdp = SdpAssert.Parse(SdpText.Crlf(FirefoxOffer.AudioVideo));

        Assert.Equal("mozilla...THIS_IS_SDPARTA-99.0", sdp.OriginUsername);
        Assert.Equal(5117237346208458934UL, sdp.SessionId);
        Assert.Equal("trickle", sdp.IceOptions);
        Assert.Equal("sha-256", sdp.Fingerprint!.Algorithm);
        Assert.Equal(["*"], sdp.MsidSemantic!.Ids);

        MediaDescription audio = sdp.Media[0];
        Assert.Null(audio.Fingerprint); // only at session level
        Assert.Equal(DtlsSetup.ActPass, audio.Setup);
        Assert.True(audio.EndOfCandidates);
        Assert.Equal("UDP", audio.Candidates[0].Transport);
        Assert.Equal(2122252543u, audio.Candidates[0].Priority);
        Assert.Equal("tcptype active", audio.Candidates[1].Extensions);
        Assert.Equal(1, audio.FindCodec(9)!.Channels); // "G722/8000/1"
        Assert.Equal("maxplaybackrate=48000;stereo=1;useinbandfec=1", audio.FindCodec(109)!.Fmtp);
        Assert.Equal("0-15", audio.FindCodec(101)!.Fmtp);
        Assert.Equal(new HeaderExtension(2, "urn:ietf:params:rtp-hdrext:csrc-audio-level", MediaDirection.RecvOnly), audio.Extensions[1]);
        Assert.Equal("{6a50df4d-b4d6-4a3a-8746-9a4d8cdb305f}", audio.Msid!.StreamId);

        MediaDescription video = sdp.Media[1];
        Assert.Equal([120, 124, 121, 125, 126, 127, 97, 98], video.Codecs.Select(c => c.PayloadType));
        Assert.Equal(["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"], video.FindCodec(126)!.RtcpFeedback);
        Assert.Equal(124, video.FindRtxFor(120)!.PayloadType);
        Assert.Equal("1", video.FindCodec(126)!.Parameters["packetization-mode"]);
        Assert.False(video.FindCodec(97)!.Parameters.ContainsKey("packetization-mode"));
        Assert.Equal("FID", video.SsrcGroups[0].Semantics);
    }

    [Fact]
    public void Werift_offer()
    {
        SessionDescription sdp = SdpAssert.Parse(SdpText.Crlf(WeriftOffer.AudioVideo));

        Assert.Equal(1709999999999UL, sdp.SessionId);
        Assert.Equal(0UL, sdp.SessionVersion);
        Assert.All(sdp.Media, m => Assert.True(m.EndOfCandidates));
        Assert.All(sdp.Media, m => Assert.Equal(2130706431u, Assert.Single(m.Candidates).Priority));
        Assert.Equal(["opus"], sdp.Media[0].Codecs.Select(c => c.Name));
        Assert.Equal(["VP8", "rtx"], sdp.Media[1].Codecs.Select(c => c.Name));
        Assert.Equal(new MsidAttribute("werift-stream", "werift-video"), sdp.Media[1].Msid);
    }
}
