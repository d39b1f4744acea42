using Sfu.Core.Relay;
using Sfu.Core.Rtcp;

namespace Sfu.Core.Tests.Relay;

public class RelayInterestTests
{
    [Fact]
    public void Writes_the_app_packet_byte_for_byte_and_reads_it_back()
    {
        byte[] buffer = new byte[64];
        int length = RelayInterest.TryWrite(buffer, 0x0102_0304, [0xAABB_CCDD, 0x1122_3344], [true, false]);
        byte[] expected =
        [
            0x80, 204, 0x00, 0x06,  // V=2, subtype 0, PT=APP, length 6 words (28 bytes)
            0x01, 0x02, 0x03, 0x04, // SSRC of the sending node
            0x53, 0x46, 0x55, 0x49, // name "SFUI"
            0xAA, 0xBB, 0xCC, 0xDD, // layer SSRC
            0x80, 0x00, 0x00, 0x00, // W=1: wanted
            0x11, 0x22, 0x33, 0x44, // layer SSRC
            0x00, 0x00, 0x00, 0x00, // W=0: not wanted
        ];
        Assert.Equal(expected, buffer[..length]);
        Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.Validate(buffer.AsSpan(0, length)));

        Assert.True(RelayInterest.TryParse(buffer.AsSpan(0, length), out RelayInterest read));
        Assert.Equal(0x0102_0304u, read.SenderSsrc);
        Assert.Equal(2, read.Count);
        Assert.Equal((0xAABB_CCDDu, true), read[0]);
        Assert.Equal((0x1122_3344u, false), read[1]);
    }

    [Fact]
    public void An_empty_interest_is_twelve_bytes()
    {
        byte[] buffer = new byte[12];
        Assert.Equal(12, RelayInterest.TryWrite(buffer, 7, [], []));
        Assert.True(RelayInterest.TryParse(buffer, out RelayInterest read));
        Assert.Equal(0, read.Count);
    }

    [Theory]
    [InlineData("80cc0002000000015346554a", "another APP name")]
    [InlineData("81cc000200000001534655 49", "another subtype")]
    [InlineData("80cc000300000001534655490000000a", "an entry cut in half")]
    [InlineData("80cd000200000001534655 49", "not an APP packet")]
    [InlineData("80cc0001000000015346", "shorter than its header")]
    public void Rejects(string hex, string why)
    {
        byte[] packet = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.False(RelayInterest.TryParse(packet, out _), why);
    }

    [Fact]
    public void Refuses_too_many_entries_mismatched_spans_and_a_short_buffer()
    {
        byte[] buffer = new byte[RelayInterest.SizeOf(RelayInterest.MaxEntries + 1)];
        uint[] ssrcs = new uint[RelayInterest.MaxEntries + 1];
        bool[] wanted = new bool[RelayInterest.MaxEntries + 1];
        Assert.Equal(-1, RelayInterest.TryWrite(buffer, 1, ssrcs, wanted));
        Assert.Equal(-1, RelayInterest.TryWrite(buffer, 1, ssrcs.AsSpan(0, 2), wanted.AsSpan(0, 1)));
        Assert.Equal(-1, RelayInterest.TryWrite(buffer.AsSpan(0, 19), 1, ssrcs.AsSpan(0, 1), wanted.AsSpan(0, 1)));
        Assert.Equal(RelayInterest.SizeOf(RelayInterest.MaxEntries), RelayInterest.TryWrite(buffer, 1, ssrcs.AsSpan(0, RelayInterest.MaxEntries), wanted.AsSpan(0, RelayInterest.MaxEntries)));
    }
}
