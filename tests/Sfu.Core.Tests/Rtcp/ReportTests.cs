using Sfu.Core.Rtcp;
using Sfu.Core.Tests.Rtp;

namespace Sfu.Core.Tests.Rtcp;

public class ReportTests
{
    [Fact]
    public void Sender_report_with_block()
    {
        Assert.True(SenderReport.TryParse(Hex.Parse(RtcpVectors.SrWithBlock), out SenderReport sr));
        Assert.Equal(0x12345678u, sr.Ssrc);
        Assert.Equal(0x2A1C4C8Bu, sr.CompactNtpTimestamp);
        Assert.Equal(1, sr.ReportCount);
        Assert.True(sr.ProfileExtension.IsEmpty);
        ReportBlock block = sr.GetReportBlock(0);
        Assert.Equal(new ReportBlock(0x9ABCDEF0, 25, -2, 0x00010010, 42, 0x2A1C4C8B, 0x00018000), block);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            Assert.True(SenderReport.TryParse(Hex.Parse(RtcpVectors.SrWithBlock), out SenderReport s));
            return s.GetReportBlock(1);
        });
    }

    [Fact]
    public void Sender_report_writer_matches_vector()
    {
        var destination = new byte[64];
        ReportBlock block = new(0x9ABCDEF0, 25, -2, 0x00010010, 42, 0x2A1C4C8B, 0x00018000);
        int written = SenderReport.TryWrite(destination, 0x12345678, 0xE96B2A1C4C8B4395, 123456, 100, 16000, [block]);
        Assert.Equal(Convert.ToHexString(Hex.Parse(RtcpVectors.SrWithBlock)), Convert.ToHexString(destination, 0, written));
    }

    [Fact]
    public void Sender_report_writer_without_blocks_matches_vector()
    {
        var destination = new byte[28];
        int written = SenderReport.TryWrite(destination, 0x12345678, 0xE96B2A1C4C8B4395, 123456, 100, 16000, []);
        Assert.Equal(Convert.ToHexString(Hex.Parse(RtcpVectors.SrPlusSdes)[..28]), Convert.ToHexString(destination, 0, written));
    }

    [Theory]
    // RR, RC=0: just the reporter SSRC.
    [InlineData("80 C9 00 01 00 00 00 07", 7u, 0)]
    // RR, RC=1, block with cumulative lost +5.
    [InlineData("81 C9 00 07 00 00 00 07 00 00 00 09 00 00 00 05 00 00 FF FF 00 00 00 00 00 00 00 00 00 00 00 00", 7u, 1)]
    public void Receiver_report(string hex, uint ssrc, int blocks)
    {
        Assert.True(ReceiverReport.TryParse(Hex.Parse(hex), out ReceiverReport rr));
        Assert.Equal(ssrc, rr.Ssrc);
        Assert.Equal(blocks, rr.ReportCount);
        if (blocks == 1)
        {
            Assert.Equal(new ReportBlock(9, 0, 5, 0xFFFF, 0, 0, 0), rr.GetReportBlock(0));
        }
    }

    [Theory]
    // 24-bit signed: 0x7FFFFF is the largest positive.
    [InlineData("00 7F FF FF", 0x7FFFFF)]
    // 0x800000 is the most negative.
    [InlineData("00 80 00 00", -0x800000)]
    // 0xFFFFFF is -1; the fraction byte above it must not leak in.
    [InlineData("FF FF FF FF", -1)]
    [InlineData("80 00 00 01", 1)]
    public void Cumulative_lost_is_24_bit_signed(string lossWord, int expected)
    {
        byte[] data = Hex.Parse("00 00 00 01 " + lossWord + " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
        Assert.True(ReportBlock.TryParse(data, out ReportBlock block));
        Assert.Equal(expected, block.CumulativeLost);
    }

    [Theory]
    [InlineData(10_000_000, 0x7FFFFF)]  // clamped high
    [InlineData(-10_000_000, -0x800000)] // clamped low
    public void Cumulative_lost_is_clamped_when_written(int value, int expected)
    {
        var buffer = new byte[ReportBlock.Size];
        Assert.True(new ReportBlock(1, 0, value, 0, 0, 0, 0).TryWrite(buffer));
        Assert.True(ReportBlock.TryParse(buffer, out ReportBlock block));
        Assert.Equal(expected, block.CumulativeLost);
    }

    [Theory]
    // RC=1 but no room for the block.
    [InlineData("81 C9 00 01 00 00 00 07")]
    // SR shorter than the sender info.
    [InlineData("80 C8 00 01 00 00 00 07")]
    // RR with no SSRC.
    [InlineData("80 C9 00 00")]
    // Wrong type for the view.
    [InlineData("80 CA 00 01 00 00 00 07")]
    public void Rejects_malformed_reports(string hex)
    {
        byte[] data = Hex.Parse(hex);
        Assert.False(SenderReport.TryParse(data, out _));
        Assert.False(ReceiverReport.TryParse(data, out _));
    }

    [Fact]
    public void Writers_return_minus_one_when_too_small()
    {
        ReportBlock[] blocks = [new(1, 2, 3, 4, 5, 6, 7), new(8, 9, 10, 11, 12, 13, 14)];
        var buffer = new byte[100];
        for (int size = 0; size < SenderReport.GetSize(2); size++)
        {
            Assert.Equal(-1, SenderReport.TryWrite(buffer.AsSpan(0, size), 1, 2, 3, 4, 5, blocks));
        }

        for (int size = 0; size < ReceiverReport.GetSize(2); size++)
        {
            Assert.Equal(-1, ReceiverReport.TryWrite(buffer.AsSpan(0, size), 1, blocks));
        }

        Assert.Equal(76, SenderReport.TryWrite(buffer.AsSpan(0, 76), 1, 2, 3, 4, 5, blocks));
        Assert.Equal(56, ReceiverReport.TryWrite(buffer.AsSpan(0, 56), 1, blocks));
    }

    [Fact]
    public void Random_reports_round_trip()
    {
        var random = new Random(3550);
        var buffer = new byte[SenderReport.GetSize(31)];
        for (int iteration = 0; iteration < 500; iteration++)
        {
            var blocks = new ReportBlock[random.Next(0, 32)];
            for (int i = 0; i < blocks.Length; i++)
            {
                blocks[i] = new ReportBlock(
                    NextUInt(random), (byte)random.Next(256), random.Next(-0x800000, 0x800000),
                    NextUInt(random), NextUInt(random), NextUInt(random), NextUInt(random));
            }

            uint ssrc = NextUInt(random);
            ulong ntp = ((ulong)NextUInt(random) << 32) | NextUInt(random);
            uint rtp = NextUInt(random), packets = NextUInt(random), octets = NextUInt(random);

            int written = SenderReport.TryWrite(buffer, ssrc, ntp, rtp, packets, octets, blocks);
            Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.Validate(buffer.AsSpan(0, written)));
            Assert.True(SenderReport.TryParse(buffer.AsSpan(0, written), out SenderReport sr));
            Assert.Equal((ssrc, ntp, rtp, packets, octets), (sr.Ssrc, sr.NtpTimestamp, sr.RtpTimestamp, sr.PacketCount, sr.OctetCount));
            Assert.Equal(blocks.Length, sr.ReportCount);
            for (int i = 0; i < blocks.Length; i++)
            {
                Assert.Equal(blocks[i], sr.GetReportBlock(i));
            }

            written = ReceiverReport.TryWrite(buffer, ssrc, blocks);
            Assert.True(ReceiverReport.TryParse(buffer.AsSpan(0, written), out ReceiverReport rr));
            Assert.Equal(ssrc, rr.Ssrc);
            Assert.Equal(blocks.Length, rr.ReportCount);
            for (int i = 0; i < blocks.Length; i++)
            {
                Assert.Equal(blocks[i], rr.GetReportBlock(i));
            }
        }
    }

    internal static uint NextUInt(Random random) => (uint)random.NextInt64(0, 1L << 32);
}
