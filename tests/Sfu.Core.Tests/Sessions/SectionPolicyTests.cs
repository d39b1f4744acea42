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
        var own = new BundlePayloadTypes();
        own.Learn(Offer(("video", "120 VP8/90000", null), ("video", "121 rtx/90000", "apt=120")));

        List<RtpCodec> offered = own.CodecsToSend(Vp8, MediaKind.Video);
        List<RtpCodec> fallback = new BundlePayloadTypes().CodecsToSend(Vp8, MediaKind.Video);

        Assert.Equal([120, 121], offered.Select(c => c.PayloadType));
        Assert.Equal(96, Assert.Single(fallback).PayloadType);
        Assert.Contains("nack pli", fallback[0].RtcpFeedback);
    }

    [Fact]
    public void A_codec_the_subscriber_never_offered_gets_a_payload_type_free_in_its_bundle_group_RFC_8843_9_1()
    {
        // The subscriber bound 96 to VP8 and 97 to its RTX; the publisher sends H.264 as 96.
        var group = new BundlePayloadTypes();
        group.Learn(Offer(("video", "96 VP8/90000", null), ("video", "97 rtx/90000", "apt=96")));
        var h264 = new CodecDescription(96, "H264", 90000, 1, "packetization-mode=1;profile-level-id=42e01f", null);

        RtpCodec first = Assert.Single(group.CodecsToSend(h264, MediaKind.Video));
        RtpCodec second = Assert.Single(group.CodecsToSend(h264, MediaKind.Video));

        Assert.Equal("H264", first.Name);
        Assert.Equal(98, first.PayloadType);
        Assert.Equal(98, second.PayloadType);
        Assert.Equal("VP8", group.Find(96)!.Name);
    }

    [Theory]
    [InlineData("packetization-mode=1;profile-level-id=42e01f", 102)] // constrained baseline, mode 1
    [InlineData("packetization-mode=1;profile-level-id=4d801f", 102)] // constrained baseline spelled as Main with constraint_set0
    [InlineData("packetization-mode=0;profile-level-id=42e01f", 104)] // mode 0 is another stream format
    [InlineData("packetization-mode=1;profile-level-id=640c1f", 106)] // constrained high
    public void An_H264_stream_goes_under_the_subscribers_payload_type_of_the_same_profile_and_mode_RFC_6184_8_1(string fmtp, int expected)
    {
        var group = new BundlePayloadTypes();
        group.Learn(Offer(
            ("video", "102 H264/90000", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"),
            ("video", "104 H264/90000", "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f"),
            ("video", "106 H264/90000", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c34")));

        RtpCodec codec = group.CodecsToSend(new CodecDescription(96, "H264", 90000, 1, fmtp, null), MediaKind.Video)[0];

        Assert.Equal(expected, codec.PayloadType);
    }

    /// <summary>An offer with one video section listing the given codecs ("pt name/clock", fmtp).</summary>
    private static SessionDescription Offer(params (string Kind, string Rtpmap, string? Fmtp)[] codecs)
    {
        var media = new MediaDescription { Kind = MediaKind.Video, Port = 9, Mid = "0" };
        foreach ((_, string rtpmap, string? fmtp) in codecs)
        {
            string[] parts = rtpmap.Split(' ', '/');
            media.Codecs.Add(new RtpCodec { PayloadType = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), Name = parts[1], ClockRate = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), Fmtp = fmtp });
        }

        var offer = new SessionDescription();
        offer.Media.Add(media);
        return offer;
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
