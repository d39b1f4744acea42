using System.Text;
using Sfu.Core.Rtcp;
using Sfu.Core.Tests.Rtp;

namespace Sfu.Core.Tests.Rtcp;

public class SdesAndByeTests
{
    [Fact]
    public void Sdes_writer_matches_browser_vector()
    {
        var destination = new byte[64];
        int written = SourceDescription.TryWriteCname(destination, 0x12345678, "abcdEFGHijklMNOP"u8);
        Assert.Equal(Convert.ToHexString(Hex.Parse(RtcpVectors.SrPlusSdes)[28..]), Convert.ToHexString(destination, 0, written));
    }

    [Fact]
    public void Sdes_with_two_chunks_and_several_items()
    {
        byte[] data = Hex.Parse(
            "82 CA 00 07"          // SC=2 PT=202 length=7 (32 bytes)
            + " 00 00 00 01"       // chunk 1 SSRC
            + " 06 02 63 68"       // TOOL "ch"
            + " 01 01 78 00"       // CNAME "x", end
            + " 00 00 00 02"       // chunk 2 SSRC
            + " 01 03 61 62 63 00" // CNAME "abc", end
            + " 00 00"             // pad to 32 bits
            + " 00 00 00 00");     // (empty chunk 3 is not announced by SC; trailing room is ignored)
        Assert.True(SourceDescription.TryParse(data, out SourceDescription sdes));
        var seen = new List<(uint, string)>();
        foreach (SdesChunk chunk in sdes)
        {
            seen.Add((chunk.Ssrc, Encoding.UTF8.GetString(chunk.Cname)));
        }

        Assert.Equal([(1u, "x"), (2u, "abc")], seen);
        SdesChunkEnumerator e = sdes.Chunks;
        Assert.True(e.MoveNext());
        Assert.True(e.Current.TryGetItem(SdesItemType.Tool, out ReadOnlySpan<byte> tool));
        Assert.Equal("ch", Encoding.UTF8.GetString(tool));
        Assert.False(e.Current.TryGetItem(SdesItemType.Email, out _));
    }

    [Theory]
    // SC=1 but the chunk has no end item before the packet ends.
    [InlineData("81 CA 00 02 00 00 00 01 01 02 61 62")]
    // Item length runs past the packet.
    [InlineData("81 CA 00 02 00 00 00 01 01 09 61 62")]
    // SC=2 but only one chunk present.
    [InlineData("82 CA 00 02 00 00 00 01 00 00 00 00")]
    // SC=1 but no chunk at all.
    [InlineData("81 CA 00 00")]
    public void Sdes_rejects_malformed(string hex) => Assert.False(SourceDescription.TryParse(Hex.Parse(hex), out _));

    [Theory]
    // Empty chunk: SSRC then the end item and padding.
    [InlineData("81 CA 00 02 00 00 00 05 00 00 00 00", 5u)]
    // SC=0 is allowed (an empty SDES).
    [InlineData("80 CA 00 00", 0u)]
    public void Sdes_accepts_edge_cases(string hex, uint firstSsrc)
    {
        Assert.True(SourceDescription.TryParse(Hex.Parse(hex), out SourceDescription sdes));
        foreach (SdesChunk chunk in sdes)
        {
            Assert.Equal(firstSsrc, chunk.Ssrc);
            Assert.True(chunk.Cname.IsEmpty);
        }
    }

    [Fact]
    public void Random_cnames_round_trip()
    {
        var random = new Random(202);
        var buffer = new byte[300];
        for (int i = 0; i < 300; i++)
        {
            var cname = new byte[random.Next(0, 256)];
            random.NextBytes(cname);
            uint ssrc = ReportTests.NextUInt(random);
            int written = SourceDescription.TryWriteCname(buffer, ssrc, cname);
            Assert.Equal(0, written % 4);
            Assert.Equal(SourceDescription.GetCnameSize(cname.Length), written);
            Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.Validate(buffer.AsSpan(0, written)));
            Assert.True(SourceDescription.TryParse(buffer.AsSpan(0, written), out SourceDescription sdes));
            SdesChunkEnumerator e = sdes.Chunks;
            Assert.True(e.MoveNext());
            Assert.Equal(ssrc, e.Current.Ssrc);
            Assert.Equal(cname, e.Current.Cname.ToArray());
            Assert.False(e.MoveNext());
            Assert.Equal(-1, SourceDescription.TryWriteCname(buffer.AsSpan(0, written - 1), ssrc, cname));
        }
    }

    [Fact]
    public void Bye_with_reason()
    {
        byte[] data = Hex.Parse(
            "82 CB 00 04"          // SC=2 PT=203 length=4 (20 bytes)
            + " 00 00 00 01"       // SSRC 1
            + " 00 00 00 02"       // SSRC 2
            + " 05 62 79 65 62 79" // reason length 5, "byeby"
            + " 65 00");           // "e" would be the 6th byte: only 5 belong to the reason, then pad
        Assert.True(Goodbye.TryParse(data, out Goodbye bye));
        Assert.Equal(2, bye.SourceCount);
        Assert.Equal(1u, bye.GetSsrc(0));
        Assert.Equal(2u, bye.GetSsrc(1));
        Assert.True(bye.HasReason);
        Assert.Equal("byeby", Encoding.UTF8.GetString(bye.Reason));
    }

    [Theory]
    // SC=1, no reason.
    [InlineData("81 CB 00 01 00 00 00 09", true, false)]
    // SC=0: a BYE with no sources is structurally fine.
    [InlineData("80 CB 00 00", true, false)]
    // SC=2 but only one SSRC present.
    [InlineData("82 CB 00 01 00 00 00 09", false, false)]
    // Reason length 8 runs past the packet.
    [InlineData("81 CB 00 02 00 00 00 09 08 61 62 63", false, false)]
    public void Bye_edge_cases(string hex, bool valid, bool hasReason)
    {
        Assert.Equal(valid, Goodbye.TryParse(Hex.Parse(hex), out Goodbye bye));
        Assert.Equal(hasReason, bye.HasReason);
    }

    [Fact]
    public void Bye_writer_matches_vector()
    {
        var destination = new byte[32];
        int written = Goodbye.TryWrite(destination, [1u, 2u], "bye"u8);
        Assert.Equal("82CB0003000000010000000203627965", Convert.ToHexString(destination, 0, written));
        written = Goodbye.TryWrite(destination, [9u], default);
        Assert.Equal("81CB000100000009", Convert.ToHexString(destination, 0, written));
    }

    [Fact]
    public void Random_byes_round_trip()
    {
        var random = new Random(203);
        var buffer = new byte[500];
        for (int i = 0; i < 300; i++)
        {
            var ssrcs = new uint[random.Next(0, 32)];
            for (int j = 0; j < ssrcs.Length; j++)
            {
                ssrcs[j] = ReportTests.NextUInt(random);
            }

            var reason = new byte[random.Next(0, 3) == 0 ? 0 : random.Next(1, 256)];
            random.NextBytes(reason);
            int written = Goodbye.TryWrite(buffer, ssrcs, reason);
            Assert.Equal(Goodbye.GetSize(ssrcs.Length, reason.Length), written);
            Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.Validate(buffer.AsSpan(0, written)));
            Assert.True(Goodbye.TryParse(buffer.AsSpan(0, written), out Goodbye bye));
            Assert.Equal(ssrcs.Length, bye.SourceCount);
            for (int j = 0; j < ssrcs.Length; j++)
            {
                Assert.Equal(ssrcs[j], bye.GetSsrc(j));
            }

            Assert.Equal(reason.Length > 0, bye.HasReason);
            Assert.Equal(reason, bye.Reason.ToArray());
            Assert.Equal(-1, Goodbye.TryWrite(buffer.AsSpan(0, written - 1), ssrcs, reason));
        }
    }
}
