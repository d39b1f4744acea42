using Sfu.Core.Negotiation;
using Sfu.Core.Routing;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;

namespace Sfu.Core.Tests.Sessions;

public class SectionPolicyTests
{
    private static readonly CodecDescription Vp8 = new(96, "VP8", 90000, 1, null, 97);

    [Fact]
    public void An_answered_section_keeps_one_media_codec_and_its_rtx()
    {
        var media = new MediaDescription { Kind = MediaKind.Video };
        media.Codecs.Add(new RtpCodec { PayloadType = 96, Name = "VP8", ClockRate = 90000 });
        media.Codecs.Add(new RtpCodec { PayloadType = 97, Name = "rtx", ClockRate = 90000, Fmtp = "apt=96" });
        media.Codecs.Add(new RtpCodec { PayloadType = 102, Name = "H264", ClockRate = 90000, Fmtp = "packetization-mode=1" });
        media.Codecs.Add(new RtpCodec { PayloadType = 103, Name = "rtx", ClockRate = 90000, Fmtp = "apt=102" });

        SectionPolicy.KeepOnePrimaryCodec(media);

        Assert.Equal([96, 97], media.Codecs.Select(c => c.PayloadType));
        Assert.Equal(["96", "97"], media.Formats);
    }

    [Fact]
    public void The_media_ssrc_comes_from_the_fid_group_before_any_plain_ssrc_line()
    {
        var media = new MediaDescription();
        media.Ssrcs.Add(new SsrcAttribute(222, "cname", "x"));
        media.Ssrcs.Add(new SsrcAttribute(111, "cname", "x"));
        media.SsrcGroups.Add(new SsrcGroup("FID", [111, 222]));

        Assert.Equal((111u, (uint?)222), SectionPolicy.PrimarySsrc(media));
        Assert.Equal((0u, (uint?)null), SectionPolicy.PrimarySsrc(new MediaDescription()));
    }

    [Fact]
    public void A_subscriber_receives_under_its_own_payload_type_for_the_codec()
    {
        var publishing = new MediaSlot("0", MediaKind.Video, serverOwned: false)
        {
            Codecs = [new RtpCodec { PayloadType = 120, Name = "vp8", ClockRate = 90000 }, new RtpCodec { PayloadType = 121, Name = "rtx", ClockRate = 90000, Fmtp = "apt=120" }],
        };

        List<RtpCodec> offered = SectionPolicy.CodecsToSend([publishing], Vp8, MediaKind.Video);
        List<RtpCodec> fallback = SectionPolicy.CodecsToSend([], Vp8, MediaKind.Video);

        Assert.Equal([120, 121], offered.Select(c => c.PayloadType));
        Assert.Equal(96, Assert.Single(fallback).PayloadType);
        Assert.Contains("nack pli", fallback[0].RtcpFeedback);
    }

    [Fact]
    public void Only_extensions_whose_meaning_survives_forwarding_are_mapped()
    {
        var publisher = new List<ExtensionDescription>
        {
            new(1, MediaCapabilities.AudioLevelUri),
            new(4, MediaCapabilities.MidUri),
            new(3, MediaCapabilities.AbsSendTimeUri),
        };
        var subscriber = new MediaDescription();
        subscriber.Extensions.Add(new HeaderExtension(7, MediaCapabilities.AudioLevelUri));
        subscriber.Extensions.Add(new HeaderExtension(9, MediaCapabilities.MidUri));

        ExtensionIdMap map = SectionPolicy.ExtensionMapFor(publisher, subscriber);

        Assert.Equal(7, map.Get(1));
        Assert.Equal(0, map.Get(4)); // mid names the publisher's section, not the subscriber's
        Assert.Equal(0, map.Get(3)); // not negotiated by this subscriber
    }
}
