using Sfu.Core.Negotiation;
using Sfu.Core.Tests.Negotiation.Fixtures;

namespace Sfu.Core.Tests.Negotiation;

public class SdpRoundTripTests
{
    public static TheoryData<string, string> Fixtures => new()
    {
        { "chromium audio+video", ChromiumOffers.AudioVideo },
        { "chromium simulcast+data", ChromiumOffers.SimulcastWithDataChannel },
        { "chromium screen share", ChromiumOffers.ScreenShareRenegotiation },
        { "firefox", FirefoxOffer.AudioVideo },
        { "werift", WeriftOffer.AudioVideo },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Parse_write_parse_gives_the_same_model(string name, string fixture)
    {
        SessionDescription first = SdpAssert.Parse(SdpText.Crlf(fixture));
        string written = SdpWriter.Write(first);
        SessionDescription second = SdpAssert.Parse(written);

        SdpAssert.Equivalent(first, second);
        Assert.Equal(written, SdpWriter.Write(second));
        Assert.False(string.IsNullOrEmpty(name));
    }

    /// <summary>
    /// Stronger than model equality: the writer emits exactly the fixture's lines (in canonical
    /// order), so the parser dropped nothing. Only the msid-semantic spelling is normalized,
    /// because the writer always uses Chromium's "a=msid-semantic: WMS".
    /// </summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Writer_keeps_every_line_of_the_fixture(string name, string fixture)
    {
        string written = SdpWriter.Write(SdpAssert.Parse(fixture));

        Assert.EndsWith("\r\n", written, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", written.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(Normalized(fixture), Normalized(written));
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public void Writer_uses_canonical_section_order()
    {
        string written = SdpWriter.Write(SdpAssert.Parse(FirefoxOffer.AudioVideo));
        string[] lines = written.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        // RFC 8866 §5: v, o, s, t, then session attributes, then media.
        Assert.Equal("v=0", lines[0]);
        Assert.StartsWith("o=", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("s=", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("t=", lines[3], StringComparison.Ordinal);
        int firstMedia = Array.FindIndex(lines, l => l.StartsWith("m=", StringComparison.Ordinal));
        Assert.All(lines[4..firstMedia], l => Assert.StartsWith("a=", l, StringComparison.Ordinal));

        // Inside a section: m, then c, then attributes; rtpmap comes before its fmtp (Chromium order).
        Assert.StartsWith("c=", lines[firstMedia + 1], StringComparison.Ordinal);
        int rtpmap = Array.IndexOf(lines, "a=rtpmap:109 opus/48000/2");
        int fmtp = Array.IndexOf(lines, "a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1");
        Assert.True(rtpmap >= 0 && rtpmap < fmtp);
        Assert.Equal("a=end-of-candidates", lines[Array.FindIndex(lines, firstMedia + 1, l => l.StartsWith("m=", StringComparison.Ordinal)) - 1]);
    }

    [Fact]
    public void Seeded_random_models_survive_write_then_parse()
    {
        var random = new Random(20240611);
        for (int i = 0; i < 200; i++)
        {
            SessionDescription model = RandomSdp.Create(random);
            string written = SdpWriter.Write(model);
            SdpParseResult parsed = SdpParser.Parse(written);
            Assert.True(parsed.Success, parsed.Error + "\n" + written);
            Assert.Equal(written, SdpWriter.Write(parsed.Description));
            SdpAssert.Equivalent(SdpAssert.Parse(written), SdpAssert.Parse(SdpWriter.Write(parsed.Description)));
        }
    }

    private static List<string> Normalized(string sdp)
    {
        var lines = new List<string>();
        foreach (string line in SdpText.Lines(sdp))
        {
            lines.Add(line.Replace("a=msid-semantic: ", "a=msid-semantic:", StringComparison.Ordinal));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
