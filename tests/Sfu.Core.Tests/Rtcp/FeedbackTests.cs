using Sfu.Core.Rtcp;
using Sfu.Core.Tests.Rtp;

namespace Sfu.Core.Tests.Rtcp;

public class FeedbackTests
{
    [Fact]
    public void Nack_decodes_pid_and_blp_across_the_wrap()
    {
        Assert.True(GenericNack.TryParse(Hex.Parse(RtcpVectors.NackAcrossWrap), out GenericNack nack));
        Assert.Equal(1u, nack.SenderSsrc);
        Assert.Equal(0x5E7A3C11u, nack.MediaSsrc);
        Assert.Equal(1, nack.PairCount);
        Assert.Equal(((ushort)65534, (ushort)5), nack.GetPair(0));
        Assert.Equal(new ushort[] { 65534, 65535, 1 }, Lost(nack));
    }

    [Theory]
    // BLP 0: only the PID itself.
    [InlineData("00 64 00 00", new int[] { 100 })]
    // BLP all ones: PID and the 16 after it.
    [InlineData("00 64 FF FF", new int[] { 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116 })]
    // Highest bit only: PID + 16.
    [InlineData("00 64 80 00", new int[] { 100, 116 })]
    // Two pairs.
    [InlineData("00 64 00 01 01 00 00 00", new int[] { 100, 101, 256 })]
    // PID 65535 with bit 0: wraps to 0.
    [InlineData("FF FF 00 01", new int[] { 65535, 0 })]
    public void Nack_lost_list(string fci, int[] expected)
    {
        byte[] fciBytes = Hex.Parse(fci);
        byte[] header = Hex.Parse("81 CD 00 00 00 00 00 01 00 00 00 02");
        header[3] = (byte)(2 + (fciBytes.Length / 4));
        Assert.True(GenericNack.TryParse([.. header, .. fciBytes], out GenericNack nack));
        Assert.Equal(expected.Select(x => (ushort)x).ToArray(), Lost(nack));
    }

    [Theory]
    // Consecutive run packs into one pair.
    [InlineData(new int[] { 100, 101, 102 }, "00 64 00 03")]
    // 17 apart needs a second pair.
    [InlineData(new int[] { 100, 116, 117 }, "00 64 80 00 00 75 00 00")]
    // Wrap inside one pair.
    [InlineData(new int[] { 65534, 65535, 1 }, "FF FE 00 05")]
    // Duplicates are dropped.
    [InlineData(new int[] { 5, 5, 6 }, "00 05 00 01")]
    // A number behind the current PID starts a new pair rather than being lost.
    [InlineData(new int[] { 10, 3 }, "00 0A 00 00 00 03 00 00")]
    public void Nack_writer_packs_pairs(int[] lost, string expectedFci)
    {
        var buffer = new byte[64];
        ushort[] input = lost.Select(x => (ushort)x).ToArray();
        int written = GenericNack.TryWrite(buffer, 1, 2, input);
        byte[] fci = Hex.Parse(expectedFci);
        Assert.Equal(12 + fci.Length, written);
        Assert.Equal(Convert.ToHexString(fci), Convert.ToHexString(buffer, 12, fci.Length));
        Assert.Equal("81CD", Convert.ToHexString(buffer, 0, 2));
        Assert.Equal((written / 4) - 1, buffer[3]);
        Assert.Equal(-1, GenericNack.TryWrite(buffer.AsSpan(0, written - 1), 1, 2, input));
    }

    [Fact]
    public void Random_nacks_round_trip()
    {
        var random = new Random(4585);
        var buffer = new byte[4096];
        for (int iteration = 0; iteration < 500; iteration++)
        {
            // Ascending lost numbers from a random start, possibly crossing the wrap.
            var lost = new List<ushort>();
            int seq = random.Next(65536);
            int count = random.Next(1, 120);
            for (int i = 0; i < count; i++)
            {
                lost.Add((ushort)seq);
                seq += random.Next(3) == 0 ? random.Next(17, 200) : random.Next(1, 4);
            }

            int written = GenericNack.TryWrite(buffer, 11, 22, lost.ToArray());
            Assert.Equal(12 + (4 * GenericNack.CountPairs(lost.ToArray())), written);
            Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.Validate(buffer.AsSpan(0, written)));
            Assert.True(GenericNack.TryParse(buffer.AsSpan(0, written), out GenericNack nack));
            Assert.Equal(lost, Lost(nack));
        }
    }

    [Fact]
    public void Pli_parse_and_write()
    {
        byte[] vector = Hex.Parse(RtcpVectors.ReducedSizePli);
        var buffer = new byte[12];
        Assert.Equal(12, PictureLossIndication.TryWrite(buffer, 1, 0x5E7A3C11));
        Assert.Equal(vector, buffer);
        Assert.Equal(-1, PictureLossIndication.TryWrite(buffer.AsSpan(0, 11), 1, 2));

        // FMT 2 (SLI) with the same body is not a PLI.
        vector[0] = 0x82;
        Assert.False(PictureLossIndication.TryParse(vector, out _));
    }

    [Fact]
    public void Fir_parse_and_write()
    {
        byte[] vector = Hex.Parse(RtcpVectors.FirTwoEntries);
        Assert.True(FullIntraRequest.TryParse(vector, out FullIntraRequest fir));
        Assert.Equal(1u, fir.SenderSsrc);
        Assert.Equal(0u, fir.MediaSsrc);
        Assert.Equal(2, fir.EntryCount);
        Assert.Equal(new FirEntry(0x5E7A3C11, 7), fir.GetEntry(0));
        Assert.Equal(new FirEntry(0x01020304, 8), fir.GetEntry(1));

        var buffer = new byte[64];
        Array.Fill(buffer, (byte)0xEE); // reserved bytes must be written as zero
        int written = FullIntraRequest.TryWrite(buffer, 1, [new FirEntry(0x5E7A3C11, 7), new FirEntry(0x01020304, 8)]);
        Assert.Equal(Convert.ToHexString(vector), Convert.ToHexString(buffer, 0, written));
        Assert.Equal(-1, FullIntraRequest.TryWrite(buffer.AsSpan(0, written - 1), 1, [new FirEntry(1, 1), new FirEntry(2, 2)]));
    }

    [Theory]
    // No entries.
    [InlineData("84 CE 00 02 00 00 00 01 00 00 00 00")]
    // Half an entry.
    [InlineData("84 CE 00 03 00 00 00 01 00 00 00 00 00 00 00 05")]
    public void Fir_rejects_malformed(string hex) => Assert.False(FullIntraRequest.TryParse(Hex.Parse(hex), out _));

    [Fact]
    public void Remb_decodes_vector()
    {
        Assert.True(ReceiverEstimatedMaxBitrate.TryParse(Hex.Parse(RtcpVectors.Remb), out ReceiverEstimatedMaxBitrate remb));
        Assert.Equal(1u, remb.SenderSsrc);
        Assert.Equal(3, remb.Exponent);
        Assert.Equal(154320u, remb.Mantissa);
        Assert.Equal(1_234_560UL, remb.Bitrate); // 1,234,567 rounded down to mantissa precision
        Assert.Equal(1, remb.SsrcCount);
        Assert.Equal(0x5E7A3C11u, remb.GetSsrc(0));
    }

    [Fact]
    public void Remb_writer_matches_vector()
    {
        var buffer = new byte[64];
        int written = ReceiverEstimatedMaxBitrate.TryWrite(buffer, 1, 1_234_567, [0x5E7A3C11u]);
        Assert.Equal(Convert.ToHexString(Hex.Parse(RtcpVectors.Remb)), Convert.ToHexString(buffer, 0, written));
        Assert.Equal(-1, ReceiverEstimatedMaxBitrate.TryWrite(buffer.AsSpan(0, written - 1), 1, 1_234_567, [0x5E7A3C11u]));
    }

    [Theory]
    [InlineData(0UL, 0, 0u)]                          // zero
    [InlineData(262_143UL, 0, 262_143u)]              // largest 18-bit mantissa, exp 0
    [InlineData(262_144UL, 1, 131_072u)]              // one past: exp 1
    [InlineData(1_234_567UL, 3, 154_320u)]            // the worked example
    [InlineData(30_000_000UL, 7, 234_375u)]           // 30 Mbps, exact
    [InlineData(ulong.MaxValue, 46, 262_143u)]        // the largest value encodes in range
    public void Remb_bitrate_encoding(ulong bitrate, int exponent, uint mantissa)
    {
        Assert.Equal((exponent, mantissa), ReceiverEstimatedMaxBitrate.Encode(bitrate));
        ulong decoded = ReceiverEstimatedMaxBitrate.Decode(exponent, mantissa);
        Assert.True(decoded <= bitrate);
        Assert.True(bitrate - decoded < (1UL << exponent)); // lost at most the shifted-out bits
    }

    [Theory]
    [InlineData(63, 262_143u, ulong.MaxValue)] // would overflow: saturates
    [InlineData(63, 1u, 1UL << 63)]            // fits exactly
    [InlineData(46, 262_143u, 262_143UL << 46)]
    public void Remb_decode_saturates(int exponent, uint mantissa, ulong expected)
        => Assert.Equal(expected, ReceiverEstimatedMaxBitrate.Decode(exponent, mantissa));

    [Fact]
    public void Random_rembs_round_trip()
    {
        var random = new Random(15);
        var buffer = new byte[2048];
        for (int i = 0; i < 500; i++)
        {
            ulong bitrate = (ulong)random.NextInt64(0, long.MaxValue) >> random.Next(0, 63);
            var ssrcs = new uint[random.Next(0, 20)];
            for (int j = 0; j < ssrcs.Length; j++)
            {
                ssrcs[j] = ReportTests.NextUInt(random);
            }

            uint sender = ReportTests.NextUInt(random);
            int written = ReceiverEstimatedMaxBitrate.TryWrite(buffer, sender, bitrate, ssrcs);
            Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.Validate(buffer.AsSpan(0, written)));
            Assert.Equal(RtcpFeedbackKind.ReceiverEstimatedMaxBitrate, RtcpFeedback.Classify(buffer.AsSpan(0, written)));
            Assert.True(ReceiverEstimatedMaxBitrate.TryParse(buffer.AsSpan(0, written), out ReceiverEstimatedMaxBitrate remb));
            Assert.Equal(sender, remb.SenderSsrc);
            Assert.True(remb.Bitrate <= bitrate);
            Assert.True(bitrate - remb.Bitrate < (1UL << remb.Exponent));
            Assert.True(remb.Mantissa < (1u << 18));
            Assert.Equal(ssrcs.Length, remb.SsrcCount);
            for (int j = 0; j < ssrcs.Length; j++)
            {
                Assert.Equal(ssrcs[j], remb.GetSsrc(j));
            }
        }
    }

    [Fact]
    public void Random_firs_and_plis_round_trip()
    {
        var random = new Random(5104);
        var buffer = new byte[512];
        for (int i = 0; i < 300; i++)
        {
            var entries = new FirEntry[random.Next(1, 10)];
            for (int j = 0; j < entries.Length; j++)
            {
                entries[j] = new FirEntry(ReportTests.NextUInt(random), (byte)random.Next(256));
            }

            uint sender = ReportTests.NextUInt(random);
            int written = FullIntraRequest.TryWrite(buffer, sender, entries);
            Assert.True(FullIntraRequest.TryParse(buffer.AsSpan(0, written), out FullIntraRequest fir));
            Assert.Equal(sender, fir.SenderSsrc);
            Assert.Equal(entries, Enumerable.Range(0, entries.Length).Select(j => ReadEntry(buffer, written, j)).ToArray());

            uint media = ReportTests.NextUInt(random);
            written = PictureLossIndication.TryWrite(buffer, sender, media);
            Assert.True(PictureLossIndication.TryParse(buffer.AsSpan(0, written), out PictureLossIndication pli));
            Assert.Equal((sender, media), (pli.SenderSsrc, pli.MediaSsrc));
        }

        static FirEntry ReadEntry(byte[] buffer, int length, int index)
        {
            Assert.True(FullIntraRequest.TryParse(buffer.AsSpan(0, length), out FullIntraRequest fir));
            return fir.GetEntry(index);
        }
    }

    [Theory]
    [InlineData(RtcpVectors.NackAcrossWrap, RtcpFeedbackKind.GenericNack)]
    [InlineData(RtcpVectors.TransportWideCc, RtcpFeedbackKind.TransportWideCc)]
    [InlineData(RtcpVectors.ReducedSizePli, RtcpFeedbackKind.PictureLossIndication)]
    [InlineData(RtcpVectors.FirTwoEntries, RtcpFeedbackKind.FullIntraRequest)]
    [InlineData(RtcpVectors.Remb, RtcpFeedbackKind.ReceiverEstimatedMaxBitrate)]
    // RTPFB FMT 3: TMMBR.
    [InlineData("83 CD 00 02 00 00 00 01 00 00 00 02", RtcpFeedbackKind.TemporaryMaxBitrateRequest)]
    // RTPFB FMT 4: TMMBN.
    [InlineData("84 CD 00 02 00 00 00 01 00 00 00 02", RtcpFeedbackKind.TemporaryMaxBitrateNotification)]
    // RTPFB FMT 7: unassigned.
    [InlineData("87 CD 00 02 00 00 00 01 00 00 00 02", RtcpFeedbackKind.OtherTransport)]
    // PSFB FMT 2: SLI.
    [InlineData("82 CE 00 02 00 00 00 01 00 00 00 02", RtcpFeedbackKind.SliceLossIndication)]
    // PSFB FMT 3: RPSI.
    [InlineData("83 CE 00 02 00 00 00 01 00 00 00 02", RtcpFeedbackKind.ReferencePictureSelection)]
    // PSFB FMT 15 without the REMB identifier.
    [InlineData("8F CE 00 03 00 00 00 01 00 00 00 00 41 42 43 44", RtcpFeedbackKind.OtherApplicationLayer)]
    // PSFB FMT 15 too short to carry an identifier.
    [InlineData("8F CE 00 02 00 00 00 01 00 00 00 00", RtcpFeedbackKind.OtherApplicationLayer)]
    // PSFB FMT 9: unassigned.
    [InlineData("89 CE 00 02 00 00 00 01 00 00 00 02", RtcpFeedbackKind.OtherPayloadSpecific)]
    // Feedback header shorter than the two SSRCs.
    [InlineData("81 CE 00 01 00 00 00 01", RtcpFeedbackKind.NotFeedback)]
    // A receiver report.
    [InlineData("80 C9 00 01 00 00 00 01", RtcpFeedbackKind.NotFeedback)]
    // Garbage.
    [InlineData("00", RtcpFeedbackKind.NotFeedback)]
    public void Classifies_feedback(string hex, RtcpFeedbackKind expected)
    {
        byte[] data = Hex.Parse(hex);
        Assert.Equal(expected, RtcpFeedback.Classify(data));
        Assert.Equal(expected == RtcpFeedbackKind.TransportWideCc, RtcpFeedback.IsTransportWideCc(data));
    }

    [Theory]
    [InlineData(RtcpVectors.ReducedSizePli, "81 CE 00 02 AA AA AA AA BB BB BB BB")]
    [InlineData(RtcpVectors.NackAcrossWrap, "81 CD 00 03 AA AA AA AA BB BB BB BB FF FE 00 05")]
    // FIR: header media SSRC stays 0; every entry SSRC is rewritten, seq nrs kept.
    [InlineData(RtcpVectors.FirTwoEntries, "84 CE 00 06 AA AA AA AA 00 00 00 00 BB BB BB BB 07 00 00 00 BB BB BB BB 08 00 00 00")]
    public void Readdresses_feedback_in_place(string hex, string expected)
    {
        byte[] data = Hex.Parse(hex);
        Assert.True(RtcpFeedback.SetSenderSsrc(data, 0xAAAAAAAA));
        Assert.True(RtcpFeedback.SetMediaSsrc(data, 0xBBBBBBBB));
        Assert.Equal(Convert.ToHexString(Hex.Parse(expected)), Convert.ToHexString(data));
    }

    [Fact]
    public void Readdressing_leaves_remb_and_reports_alone()
    {
        byte[] remb = Hex.Parse(RtcpVectors.Remb);
        Assert.False(RtcpFeedback.SetMediaSsrc(remb, 0xBBBBBBBB));
        Assert.Equal(Hex.Parse(RtcpVectors.Remb), remb);

        byte[] rr = Hex.Parse("80 C9 00 01 00 00 00 01");
        Assert.False(RtcpFeedback.SetSenderSsrc(rr, 5));
        Assert.False(RtcpFeedback.SetMediaSsrc(rr, 5));
        Assert.Equal(Hex.Parse("80 C9 00 01 00 00 00 01"), rr);
    }

    [Fact]
    public void Truncated_feedback_at_every_length_never_throws()
    {
        foreach (string vector in new[] { RtcpVectors.NackAcrossWrap, RtcpVectors.FirTwoEntries, RtcpVectors.Remb, RtcpVectors.ReducedSizePli, RtcpVectors.SrWithBlock, RtcpVectors.SrPlusSdes, RtcpVectors.TransportWideCc })
        {
            byte[] full = Hex.Parse(vector);
            for (int length = 0; length < full.Length; length++)
            {
                byte[] copy = full[..length];
                RtcpViews.ParseAll(copy);
                _ = RtcpFeedback.SetMediaSsrc(copy, 1);
                _ = RtcpFeedback.SetSenderSsrc(copy, 1);
            }
        }
    }

    [Fact]
    public void Random_bytes_through_every_view_never_throw()
    {
        var random = new Random(4586);
        var buffer = new byte[80];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = (byte)(0x80 | (buffer[0] & 0x3F));
            buffer[1] = (byte)(200 + (buffer[1] % 8));
            buffer[2] = 0;
            buffer[3] = (byte)(buffer[3] % 22);
            int length = random.Next(buffer.Length + 1);
            RtcpViews.ParseAll(buffer.AsSpan(0, length));
            _ = RtcpFeedback.SetMediaSsrc(buffer.AsSpan(0, length), 7);
        }
    }

    private static ushort[] Lost(GenericNack nack)
    {
        var list = new List<ushort>();
        foreach (ushort seq in nack.LostSequenceNumbers)
        {
            list.Add(seq);
        }

        return [.. list];
    }
}
