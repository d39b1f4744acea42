using Sfu.Core.Dtls;
using Sfu.Core.Negotiation;

namespace Sfu.Bots.Tests;

/// <summary>The bot's simulcast offer (RFC 8853 §5.1, RFC 8851 §4) and how the SFU's own answer builder reads it.</summary>
public sealed class BotSdpSimulcastTests
{
    private static readonly VideoEncoding[] Layers =
    [
        new(11, "q", 320, 180, 62_500, 1, 1),
        new(22, "h", 640, 360, 250_000, 1, 1),
        new(33, "f", 1280, 720, 1_000_000, 1, 1),
    ];

    private static readonly SendStream Video = new(33, null, "cname", "stream", "video");

    [Fact]
    public void The_offer_sends_three_rids_with_their_sizes_and_announces_no_ssrc()
    {
        MediaDescription video = Parse(BotSdp.BuildOffer(Transport(DtlsSetup.ActPass), null, Video, Layers, 1)).FindMedia(BotSdp.VideoMid)!;

        Assert.Equal(MediaDirection.SendOnly, video.Direction);
        Assert.Equal(
            ["q send max-width=320;max-height=180", "h send max-width=640;max-height=360", "f send max-width=1280;max-height=720"],
            video.Rids.Select(r => $"{r.Id} {(r.Direction == RidDirection.Send ? "send" : "recv")} {r.Parameters}"));
        Assert.Equal("send q;h;f", video.Simulcast);
        Assert.Empty(video.Ssrcs);
        Assert.Empty(video.SsrcGroups);
        Assert.Equal("video", video.Msid?.TrackId);
        Assert.Equal(BotSdp.MidId, video.FindExtension(MediaCapabilities.MidUri)?.Id);
        Assert.Equal(BotSdp.RtpStreamIdId, video.FindExtension(MediaCapabilities.RtpStreamIdUri)?.Id);
    }

    [Fact]
    public void Without_simulcast_the_offer_keeps_its_ssrc_and_no_rids()
    {
        MediaDescription video = Parse(BotSdp.BuildOffer(Transport(DtlsSetup.ActPass), null, Video, null, 1)).FindMedia(BotSdp.VideoMid)!;

        Assert.Empty(video.Rids);
        Assert.Null(video.Simulcast);
        Assert.Contains(video.Ssrcs, s => s.Ssrc == 33);
        Assert.Null(video.FindExtension(MediaCapabilities.RtpStreamIdUri));
    }

    [Fact]
    public void The_sfu_answers_by_receiving_every_layer_and_the_bot_keeps_sending_them_in_its_answer_to_a_re_offer()
    {
        SessionDescription offer = Parse(BotSdp.BuildOffer(Transport(DtlsSetup.ActPass), null, Video, Layers, 1));
        SdpAnswerResult sfu = SdpAnswerBuilder.Build(offer, Transport(DtlsSetup.Passive), MediaCapabilities.Default, new Dictionary<string, SendStream>());
        Assert.True(sfu.Success, sfu.Error);
        MediaDescription answered = sfu.Answer.FindMedia(BotSdp.VideoMid)!;
        Assert.Equal("recv q;h;f", answered.Simulcast);
        Assert.Equal((BotSdp.MidId, BotSdp.RtpStreamIdId), BotSdp.NegotiatedStreamIdIds(sfu.Answer));

        // The SFU's re-offer lists the rids as recv, as SdpOfferBuilder writes them for a publisher.
        SessionDescription reOffer = SdpOfferBuilder.Build(
            Transport(DtlsSetup.Passive),
            [new OfferSection(BotSdp.VideoMid, Sfu.Core.MediaKind.Video, MediaDirection.RecvOnly, [BotSdp.Vp8()], [.. answered.Extensions], ReceiveRids: ["q", "h", "f"])],
            2,
            2);
        string? answer = BotSdp.BuildAnswer(Parse(SdpWriter.Write(reOffer)), Transport(DtlsSetup.Active), new Dictionary<string, SendStream> { [BotSdp.VideoMid] = Video }, Layers, 1, 2, out string? error);
        Assert.True(answer is not null, error);
        MediaDescription video = Parse(answer).FindMedia(BotSdp.VideoMid)!;
        Assert.Equal(MediaDirection.SendOnly, video.Direction);
        Assert.Equal("send q;h;f", video.Simulcast);
        Assert.Equal(["q", "h", "f"], video.Rids.Where(r => r.Direction == RidDirection.Send).Select(r => r.Id));
        Assert.Empty(video.Ssrcs);
    }

    private static LocalTransport Transport(DtlsSetup setup)
        => new("abcd", "0123456789abcdefghijkl", "sha-256", string.Join(':', Enumerable.Repeat("AB", 32)), setup, "127.0.0.1", 5000);

    private static SessionDescription Parse(string sdp)
    {
        SdpParseResult parsed = SdpParser.Parse(sdp);
        Assert.True(parsed.Success, parsed.Error + "\n" + sdp);
        return parsed.Description;
    }
}
