using Sfu.Core.Rtcp;
using Sfu.Core.Tests.Rtp;

namespace Sfu.Core.Tests.Rtcp;

public class RtcpCompoundReaderTests
{
    [Fact]
    public void Reads_sender_report_then_sdes()
    {
        byte[] data = Hex.Parse(RtcpVectors.SrPlusSdes);
        Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.TryCreate(data, out RtcpCompoundReader reader));

        Assert.True(reader.MoveNext());
        RtcpPacket first = reader.Current;
        Assert.Equal(RtcpPacketType.SenderReport, first.Header.PacketType);
        Assert.Equal(0, first.Header.Count);
        Assert.Equal(6, first.Header.LengthInWords);
        Assert.Equal(28, first.Header.TotalSize);
        Assert.True(SenderReport.TryParse(first.Data, out SenderReport sr));
        Assert.Equal(0x12345678u, sr.Ssrc);
        Assert.Equal(0xE96B2A1C4C8B4395UL, sr.NtpTimestamp);
        Assert.Equal(123456u, sr.RtpTimestamp);
        Assert.Equal(100u, sr.PacketCount);
        Assert.Equal(16000u, sr.OctetCount);
        Assert.Equal(0, sr.ReportCount);

        Assert.True(reader.MoveNext());
        RtcpPacket second = reader.Current;
        Assert.Equal(RtcpPacketType.SourceDescription, second.Header.PacketType);
        Assert.True(SourceDescription.TryParse(second.Data, out SourceDescription sdes));
        int chunks = 0;
        foreach (SdesChunk chunk in sdes)
        {
            chunks++;
            Assert.Equal(0x12345678u, chunk.Ssrc);
            Assert.Equal("abcdEFGHijklMNOP", System.Text.Encoding.UTF8.GetString(chunk.Cname));
        }

        Assert.Equal(1, chunks);
        Assert.False(reader.MoveNext());
    }

    [Fact]
    public void Reads_reduced_size_pli_alone()
    {
        byte[] data = Hex.Parse(RtcpVectors.ReducedSizePli);
        Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.TryCreate(data, out RtcpCompoundReader reader));
        int count = 0;
        foreach (RtcpPacket packet in reader)
        {
            count++;
            Assert.Equal(RtcpPacketType.PayloadFeedback, packet.Header.PacketType);
            Assert.Equal(1, packet.Header.Format);
            Assert.True(PictureLossIndication.TryParse(packet.Data, out PictureLossIndication pli));
            Assert.Equal(1u, pli.SenderSsrc);
            Assert.Equal(0x5E7A3C11u, pli.MediaSsrc);
        }

        Assert.Equal(1, count);
    }

    [Theory]
    // Empty datagram.
    [InlineData("", RtcpParseResult.TooShort)]
    // Three bytes: not even a header.
    [InlineData("80 C9 00", RtcpParseResult.TooShort)]
    // Version 1.
    [InlineData("40 C9 00 01 00 00 00 01", RtcpParseResult.BadVersion)]
    // Version 0 in the second packet of a compound.
    [InlineData("80 C9 00 01 00 00 00 01 00 C9 00 01 00 00 00 01", RtcpParseResult.BadVersion)]
    // PT 96 is RTP, not RTCP.
    [InlineData("80 60 00 00", RtcpParseResult.BadPacketType)]
    // Length says 12 bytes, only 8 present.
    [InlineData("80 C9 00 02 00 00 00 01", RtcpParseResult.BadLength)]
    // A stray byte after a complete packet.
    [InlineData("80 C9 00 01 00 00 00 01 80", RtcpParseResult.TooShort)]
    // P set, padding count 0.
    [InlineData("A0 C9 00 01 00 00 00 00", RtcpParseResult.BadPadding)]
    // P set, padding count 5 would eat into the header.
    [InlineData("A0 C9 00 01 00 00 00 05", RtcpParseResult.BadPadding)]
    // Padding on the first of two packets.
    [InlineData("A0 C9 00 01 00 00 00 04 81 CE 00 02 00 00 00 01 00 00 00 02", RtcpParseResult.PaddingNotLast)]
    // Padding on the last packet only: fine.
    [InlineData("80 C9 00 01 00 00 00 01 A1 CE 00 03 00 00 00 01 00 00 00 02 00 00 00 04", RtcpParseResult.Ok)]
    // A lone RR with no blocks (first packet type check relaxed per RFC 5506).
    [InlineData("80 C9 00 01 00 00 00 01", RtcpParseResult.Ok)]
    // A header-only packet (length 0) is structurally valid.
    [InlineData("80 CB 00 00", RtcpParseResult.Ok)]
    public void Validate_reports_reason(string hex, RtcpParseResult expected)
    {
        byte[] data = Hex.Parse(hex);
        Assert.Equal(expected, RtcpCompoundReader.Validate(data));
        Assert.Equal(expected, RtcpCompoundReader.TryCreate(data, out RtcpCompoundReader reader));
        if (expected != RtcpParseResult.Ok)
        {
            Assert.False(reader.MoveNext());
        }
    }

    [Fact]
    public void Padding_is_excluded_from_content()
    {
        byte[] data = Hex.Parse("A1 CE 00 03 00 00 00 01 00 00 00 02 00 00 00 04");
        Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.TryCreate(data, out RtcpCompoundReader reader));
        Assert.True(reader.MoveNext());
        Assert.Equal(16, reader.Current.Data.Length);
        Assert.Equal(12, reader.Current.Content.Length);
        Assert.Equal(4, reader.Current.Header.PaddingLength);
        Assert.True(PictureLossIndication.TryParse(reader.Current.Data, out PictureLossIndication pli));
        Assert.Equal(2u, pli.MediaSsrc);
    }

    [Fact]
    public void Truncation_at_every_length_is_rejected_without_throwing()
    {
        byte[] full = Hex.Parse(RtcpVectors.SrPlusSdes + RtcpVectors.ReducedSizePli);
        for (int length = 0; length < full.Length; length++)
        {
            RtcpParseResult result = RtcpCompoundReader.Validate(full.AsSpan(0, length));

            // Only the exact packet boundaries (28, 56) are valid prefixes.
            Assert.Equal(length is 28 or 56, result == RtcpParseResult.Ok);
        }

        Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.Validate(full));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(5506);
        var buffer = new byte[96];
        int ok = 0;
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            int length = random.Next(buffer.Length + 1);
            buffer[0] = (byte)(0x80 | (buffer[0] & 0x3F));
            buffer[1] = (byte)(192 + (buffer[1] % 32));
            buffer[2] = 0;
            buffer[3] = (byte)(buffer[3] % 24);
            if (RtcpCompoundReader.TryCreate(buffer.AsSpan(0, length), out RtcpCompoundReader reader) != RtcpParseResult.Ok)
            {
                continue;
            }

            ok++;
            int total = 0;
            foreach (RtcpPacket packet in reader)
            {
                total += packet.Data.Length;
                RtcpViews.ParseAll(packet.Data);
            }

            Assert.Equal(length, total);
        }

        Assert.True(ok > 100);
    }

    [Fact]
    public void Enumeration_does_not_allocate()
    {
        byte[] data = Hex.Parse(RtcpVectors.SrPlusSdes + RtcpVectors.NackAcrossWrap + RtcpVectors.Remb);
        long sink = 0;
        Assert.Equal(0, Allocations.Measure(() => sink += Work(data)));
        Assert.NotEqual(0, sink);

        static long Work(byte[] data)
        {
            long sum = 0;
            if (RtcpCompoundReader.TryCreate(data, out RtcpCompoundReader reader) != RtcpParseResult.Ok)
            {
                return 0;
            }

            foreach (RtcpPacket packet in reader)
            {
                if (SenderReport.TryParse(packet.Data, out SenderReport sr))
                {
                    sum += sr.PacketCount;
                }
                else if (SourceDescription.TryParse(packet.Data, out SourceDescription sdes))
                {
                    foreach (SdesChunk chunk in sdes)
                    {
                        sum += chunk.Cname.Length;
                    }
                }
                else if (GenericNack.TryParse(packet.Data, out GenericNack nack))
                {
                    foreach (ushort lost in nack.LostSequenceNumbers)
                    {
                        sum += lost;
                    }
                }
                else if (ReceiverEstimatedMaxBitrate.TryParse(packet.Data, out ReceiverEstimatedMaxBitrate remb))
                {
                    sum += (long)remb.Bitrate;
                }
            }

            return sum;
        }
    }
}
