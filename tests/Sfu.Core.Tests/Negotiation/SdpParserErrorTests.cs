using Sfu.Core.Negotiation;
using Sfu.Core.Tests.Negotiation.Fixtures;

namespace Sfu.Core.Tests.Negotiation;

public class SdpParserErrorTests
{
    private const string Head = "v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\n";
    private const string Audio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 0.0.0.0\n";

    [Theory]
    // text, expected line, expected words in the message
    [InlineData("", 0, "empty")] // nothing at all
    [InlineData("\r\n\r\n", 0, "empty")] // only blank lines
    [InlineData("v=1\n", 1, "must start with v=0")] // wrong version
    [InlineData("o=- 1 2 IN IP4 127.0.0.1\n", 1, "must start with v=0")] // v= missing
    [InlineData("hello world", 1, "must start with v=0")] // not SDP; "he" is no type line either
    [InlineData("v=0\ns=-\n", 2, "must be o=")] // o= missing
    [InlineData("v=0\no=- 1 2 IN IP4\ns=-\nt=0 0\n", 2, "'o=' needs 6 fields")] // short origin
    [InlineData("v=0\no=- x 2 IN IP4 1.2.3.4\ns=-\nt=0 0\n", 2, "session id 'x'")] // non-numeric id
    [InlineData("v=0\no=- 1 -2 IN IP4 1.2.3.4\ns=-\nt=0 0\n", 2, "session version")] // negative version
    [InlineData("v=0\no=- 1 2 IN IP4 1.2.3.4\nt=0 0\n", 3, "must be s=")] // s= missing
    [InlineData("v=0\no=- 1 2 IN IP4 1.2.3.4\n", 2, "ends before")] // truncated header
    [InlineData("v=0\no=- 1 2 IN IP4 1.2.3.4\ns=-\n", 3, "no t= line")] // no timing at all
    [InlineData("v=0\no=- 1 2 IN IP4 1.2.3.4\ns=-\nm=audio 9 RTP/AVP 0\n", 4, "'t=' is missing")] // m= before t=
    [InlineData(Head + "t=0 0\n", 5, "only one 't='")] // second timing
    [InlineData(Head + "x=1\n", 5, "unknown line type 'x='")] // RFC 8866 §5: unknown type letter
    [InlineData(Head + "a\n", 5, "expected '<type>=<value>'")] // line without '='
    [InlineData(Head + "v=0\n", 5, "only once")] // repeated v=
    [InlineData(Head + "c=IN IP4\n", 5, "'c=' needs 3 fields")] // short connection
    [InlineData(Head + "b=AS\n", 5, "'b=' needs")] // bandwidth without type
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF\n", 5, "'m=' needs at least 4 fields")] // no formats
    [InlineData(Head + "m=audio x UDP/TLS/RTP/SAVPF 111\n", 5, "port 'x'")] // bad port
    [InlineData(Head + "m=audio 70000 UDP/TLS/RTP/SAVPF 111\n", 5, "0-65535")] // port too big
    [InlineData(Head + "m=audio 9/0 UDP/TLS/RTP/SAVPF 111\n", 5, "port count")] // zero port count
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 128\n", 5, "payload type '128'")] // 7-bit PT
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 111 111\n", 5, "listed twice")] // duplicate PT
    [InlineData(Head + Audio + "c=IN IP4 0.0.0.0\n", 7, "'c=' appears twice")] // two c= in a section
    [InlineData(Head + Audio + "t=0 0\n", 7, "'t=' must come before")] // t= inside media
    [InlineData(Head + Audio + "a=rtpmap:96 VP8/90000\n", 7, "a=rtpmap for payload type 96 which is not in the m= line")] // rtpmap for unlisted PT
    [InlineData(Head + Audio + "a=fmtp:96 apt=111\n", 7, "a=fmtp for payload type 96")] // fmtp for unlisted PT
    [InlineData(Head + Audio + "a=rtcp-fb:96 nack\n", 7, "a=rtcp-fb for payload type 96")] // rtcp-fb for unlisted PT
    [InlineData(Head + Audio + "a=rtcp-fb:111\n", 7, "a=rtcp-fb needs")] // feedback type missing
    [InlineData(Head + Audio + "a=rtpmap:111 opus\n", 7, "a=rtpmap:111 needs")] // no clock rate
    [InlineData(Head + Audio + "a=rtpmap:111 opus/0\n", 7, "a=rtpmap:111 needs")] // zero clock rate
    [InlineData(Head + Audio + "a=rtpmap:111 opus/48000/2/1\n", 7, "a=rtpmap:111 needs")] // too many fields
    [InlineData(Head + Audio + "a=rtpmap:abc opus/48000\n", 7, "payload type 'abc'")] // non-numeric PT
    [InlineData(Head + Audio + "a=rtpmap:111 opus/48000/2\na=rtpmap:111 opus/48000/2\n", 8, "second a=rtpmap")] // rtpmap twice
    [InlineData(Head + Audio + "a=fmtp:111\n", 7, "has no parameters")] // empty fmtp
    [InlineData(Head + Audio + "a=mid:0\na=mid:1\n", 8, "a=mid appears twice")] // two mids in one section
    [InlineData(Head + Audio + "a=mid:0\n" + Audio + "a=mid:0\n", 10, "already used")] // duplicate mid across sections
    [InlineData(Head + Audio + "a=mid\n", 7, "a=mid needs a value")] // empty mid
    [InlineData(Head + Audio + "a=sendrecv\na=recvonly\n", 8, "only one of sendrecv")] // two directions
    [InlineData(Head + Audio + "a=setup:client\n", 7, "a=setup value 'client'")] // bad setup
    [InlineData(Head + "a=setup:\n", 5, "a=setup value")] // empty session setup
    [InlineData(Head + Audio + "a=fingerprint:sha-256\n", 7, "a=fingerprint needs")] // no hash value
    [InlineData(Head + Audio + "a=ice-ufrag:\n", 7, "a=ice-ufrag needs a value")] // empty ufrag
    [InlineData(Head + Audio + "a=extmap:0 urn:x\n", 7, "a=extmap id '0'")] // id 0 is padding (RFC 8285 §4.2)
    [InlineData(Head + Audio + "a=extmap:256 urn:x\n", 7, "a=extmap id '256'")] // beyond two-byte range
    [InlineData(Head + Audio + "a=extmap:1/upward urn:x\n", 7, "a=extmap direction")] // unknown direction
    [InlineData(Head + Audio + "a=extmap:1 urn:x\na=extmap:1 urn:y\n", 8, "id 1 is used twice")] // duplicate id
    [InlineData(Head + Audio + "a=extmap:1\n", 7, "a=extmap needs")] // no URI
    [InlineData(Head + Audio + "a=msid:\n", 7, "a=msid needs")] // empty msid
    [InlineData(Head + Audio + "a=msid:a b c\n", 7, "a=msid needs")] // three msid fields
    [InlineData(Head + Audio + "a=ssrc:-1 cname:x\n", 7, "a=ssrc id '-1'")] // negative ssrc
    [InlineData(Head + Audio + "a=ssrc:4294967296 cname:x\n", 7, "a=ssrc id")] // ssrc over 32 bits
    [InlineData(Head + Audio + "a=ssrc:1\n", 7, "needs an attribute")] // ssrc without attribute
    [InlineData(Head + Audio + "a=ssrc:1 :x\n", 7, "empty attribute name")] // ssrc attribute without name
    [InlineData(Head + Audio + "a=ssrc-group:FID\n", 7, "a=ssrc-group needs")] // group without ssrcs
    [InlineData(Head + Audio + "a=ssrc-group:FID 1 x\n", 7, "ssrc 'x'")] // non-numeric ssrc in group
    [InlineData(Head + Audio + "a=rid:h\n", 7, "a=rid needs")] // rid without direction
    [InlineData(Head + Audio + "a=rid:h both\n", 7, "a=rid direction 'both'")] // bad rid direction
    [InlineData(Head + Audio + "a=simulcast:\n", 7, "a=simulcast needs")] // empty simulcast
    [InlineData(Head + Audio + "a=candidate:1 1 udp 1 1.2.3.4 5\n", 7, "a=candidate needs")] // no typ
    [InlineData(Head + Audio + "a=candidate:1 x udp 1 1.2.3.4 5 typ host\n", 7, "component 'x'")] // bad component
    [InlineData(Head + Audio + "a=candidate:1 1 udp 4294967296 1.2.3.4 5 typ host\n", 7, "priority")] // priority over 32 bits
    [InlineData(Head + Audio + "a=candidate:1 1 udp 1 1.2.3.4 99999 typ host\n", 7, "port '99999'")] // bad port
    [InlineData(Head + "a=group:\n", 5, "a=group needs")] // group without semantics
    [InlineData(Head + "a=msid-semantic: \n", 5, "a=msid-semantic needs")] // empty msid-semantic
    public void Malformed_sdp_is_an_error_with_a_line_number(string text, int line, string message)
    {
        SdpParseResult result = SdpParser.Parse(text);

        Assert.False(result.Success);
        Assert.Null(result.Description);
        Assert.Equal(line, result.LineNumber);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        if (line > 0)
        {
            Assert.StartsWith($"line {line}: ", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Sdp_longer_than_the_limit_is_refused_before_parsing_with_its_length()
    {
        string longest = Head + new string('\n', SdpParser.MaxLength - Head.Length);
        Assert.NotEqual("SDP is empty", SdpParser.Parse(longest).Error);
        Assert.DoesNotContain("at most", SdpParser.Parse(longest).Error ?? "", StringComparison.Ordinal);

        SdpParseResult result = SdpParser.Parse(longest + "\n");

        Assert.False(result.Success);
        Assert.Equal($"SDP is {SdpParser.MaxLength + 1:N0} characters long; at most {SdpParser.MaxLength:N0} are accepted", result.Error);
    }

    [Fact]
    public void Null_is_an_error_not_an_exception()
    {
        SdpParseResult result = SdpParser.Parse(null);
        Assert.False(result.Success);
        Assert.Equal("SDP is empty", result.Error);
    }

    [Theory]
    // text, what is tolerated
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\n", "PT 0 without rtpmap gets its static PCMU mapping")]
    [InlineData(Head + "m=video 9 UDP/TLS/RTP/SAVPF 96\n", "dynamic PT without rtpmap is left out of Codecs")]
    [InlineData(Head + "\n" + "a=foo:bar\n\n", "blank lines and unknown session attributes")]
    [InlineData(Head + "i=info\nu=http://x\ne=a@b\np=+1\nz=0 0\nk=prompt\n", "rarely used line types")]
    [InlineData(Head + "a=sendonly\na=extmap:1 urn:x\n", "session-level media attributes are kept as attributes")]
    [InlineData(Head + Audio + "a=rtcp-fb:* nack\n", "wildcard feedback")]
    [InlineData(Head + Audio + "a=rtcp-mux:weird\n", "a known flag with a value is kept verbatim")]
    public void Tolerated_oddities_parse(string text, string why)
    {
        SdpParseResult result = SdpParser.Parse(text);
        Assert.True(result.Success, why + ": " + result.Error);

        // And they survive a write/parse cycle.
        SdpAssert.Equivalent(result.Description, SdpAssert.Parse(SdpWriter.Write(result.Description)));
    }

    [Fact]
    public void Static_and_missing_rtpmaps_are_resolved_per_rfc3551()
    {
        MediaDescription m = SdpAssert.Parse(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 0 8 96\n").Media[0];
        Assert.Equal(["0", "8", "96"], m.Formats);
        Assert.Equal(["PCMU", "PCMA"], m.Codecs.Select(c => c.Name));
        Assert.Null(m.FindCodec(96));
    }

    [Fact]
    public void Chromium_offer_truncated_at_every_length_never_throws_and_errors_name_a_line()
    {
        string text = SdpText.Crlf(ChromiumOffers.AudioVideo);
        for (int length = 0; length < text.Length; length++)
        {
            SdpParseResult result = SdpParser.Parse(text[..length]);
            if (!result.Success)
            {
                Assert.False(string.IsNullOrEmpty(result.Error));
                Assert.True(result.LineNumber > 0 || length < 4, $"length {length}: {result.Error}");
            }
            else
            {
                SdpAssert.Equivalent(result.Description, SdpAssert.Parse(SdpWriter.Write(result.Description)));
            }
        }
    }

    [Fact]
    public void Mutated_chromium_offers_never_throw_and_successes_round_trip()
    {
        var random = new Random(8866);
        string[] lines = SdpText.Lines(ChromiumOffers.AudioVideo).ToArray();
        const string noise = " :=/;0123456789abcxyzAPTv\r\n\t-*";
        int ok = 0;
        for (int i = 0; i < 1500; i++)
        {
            var mutated = new List<string>(lines);
            for (int edits = random.Next(1, 4); edits > 0; edits--)
            {
                int at = random.Next(mutated.Count);
                string line = mutated[at];
                switch (random.Next(5))
                {
                    case 0:
                        mutated.RemoveAt(at);
                        break;
                    case 1:
                        mutated.Insert(random.Next(mutated.Count), line);
                        break;
                    case 2:
                        mutated[at] = line[..random.Next(line.Length + 1)];
                        break;
                    case 3:
                        int pos = random.Next(line.Length + 1);
                        mutated[at] = line[..pos] + noise[random.Next(noise.Length)] + line[pos..];
                        break;
                    default:
                        if (line.Length > 0)
                        {
                            char[] chars = line.ToCharArray();
                            chars[random.Next(chars.Length)] = noise[random.Next(noise.Length)];
                            mutated[at] = new string(chars);
                        }

                        break;
                }
            }

            string text = string.Join("\r\n", mutated) + "\r\n";
            SdpParseResult result = SdpParser.Parse(text);
            if (result.Success)
            {
                ok++;
                SdpAssert.Equivalent(result.Description, SdpAssert.Parse(SdpWriter.Write(result.Description)));
            }
            else
            {
                Assert.Matches(@"^line \d+: ", result.Error);
            }
        }

        // Both paths must be exercised for the test to mean something.
        Assert.InRange(ok, 50, 1450);
    }

    [Fact]
    public void Random_strings_never_throw()
    {
        var random = new Random(4566);
        const string alphabet = "vosticbmakaz=:/ 0123456789\r\n\tIN IP4.-*;é\0\uFFFF";
        for (int i = 0; i < 3000; i++)
        {
            var chars = new char[random.Next(0, 200)];
            for (int j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            string text = (random.Next(2) == 0 ? "v=0\no=- 1 1 IN IP4 x\ns=-\nt=0 0\n" : string.Empty) + new string(chars);
            SdpParseResult result = SdpParser.Parse(text);
            Assert.True(result.Success || result.Error is not null);
        }
    }
}
