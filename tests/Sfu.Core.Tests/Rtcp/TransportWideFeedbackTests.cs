using Sfu.Core.Rtcp;

namespace Sfu.Core.Tests.Rtcp;

/// <summary>Transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): vectors, round trips, malformed input.</summary>
public sealed class TransportWideFeedbackTests
{
    private static List<TransportWidePacketStatus> Read(ReadOnlySpan<byte> packet)
    {
        Assert.True(TransportWideFeedback.TryParse(packet, out TransportWideFeedback feedback));
        var list = new List<TransportWidePacketStatus>();
        foreach (TransportWidePacketStatus status in feedback.Packets)
        {
            list.Add(status);
        }

        return list;
    }

    [Fact]
    public void A_hand_written_feedback_reads_back_packet_by_packet()
    {
        byte[] packet =
        [
            0x8F, 205, 0x00, 0x07,           // V=2 FMT=15 PT=205, length 7 words (32 bytes)
            0x00, 0x00, 0x00, 0x01,          // sender SSRC
            0x00, 0x00, 0x00, 0x02,          // media SSRC
            0x00, 0x0A, 0x00, 0x05,          // base 10, 5 packets
            0x00, 0x00, 0x02, 0x07,          // reference time 2 × 64 ms, feedback count 7
            0x20, 0x00,                      // an empty run (reports nothing)
            0xD4, 0x90,                      // vector, 2-bit: small, small, lost, large, small, (lost, lost)
            0x04, 0x08,                      // deltas: 1 ms, 2 ms
            0xFF, 0xFC,                      // large: -1 ms
            0x14, 0x00, 0x00, 0x00,          // small: 5 ms; padding to 32 bytes
        ];

        Assert.True(TransportWideFeedback.TryParse(packet, out TransportWideFeedback feedback));
        Assert.Equal((ushort)10, feedback.BaseSequenceNumber);
        Assert.Equal(2, feedback.ReferenceTime);
        Assert.Equal(7, feedback.FeedbackPacketCount);
        Assert.Equal(
            [
                new TransportWidePacketStatus(10, true, 128_000 + 1_000),
                new TransportWidePacketStatus(11, true, 128_000 + 3_000),
                new TransportWidePacketStatus(12, false, 0),
                new TransportWidePacketStatus(13, true, 128_000 + 2_000),
                new TransportWidePacketStatus(14, true, 128_000 + 7_000),
            ],
            Read(packet));
    }

    [Theory]
    // arrivals in µs (-1: lost), base sequence number
    [InlineData(new long[] { 1_000_000, 1_000_250, 1_005_000 }, 65534)]
    [InlineData(new long[] { 2_000_000, -1, -1, -1, -1, -1, -1, -1, -1, 2_100_000 }, 100)]
    [InlineData(new long[] { 5_000_000, 4_990_000, 5_030_000, 5_030_000, 5_030_000, 5_030_000, 5_030_000, 5_030_000, 5_030_000 }, 7)]
    public void What_we_write_reads_back_at_250_microsecond_resolution(long[] arrivals, int baseSequenceNumber)
    {
        byte[] buffer = new byte[TransportWideFeedbackWriter.MaxSize(arrivals.Length)];

        int length = TransportWideFeedbackWriter.TryWrite(buffer, 1, 2, (ushort)baseSequenceNumber, arrivals, 3);

        Assert.True(length > 0);
        Assert.Equal(0, length % 4);
        List<TransportWidePacketStatus> statuses = Read(buffer.AsSpan(0, length));
        Assert.Equal(arrivals.Length, statuses.Count);
        for (int i = 0; i < arrivals.Length; i++)
        {
            Assert.Equal(unchecked((ushort)(baseSequenceNumber + i)), statuses[i].SequenceNumber);
            Assert.Equal(arrivals[i] >= 0, statuses[i].Received);
            if (arrivals[i] >= 0)
            {
                Assert.InRange(statuses[i].ArrivalMicros, arrivals[i] - 250, arrivals[i]);
            }
        }
    }

    [Fact]
    public void A_long_run_of_losses_is_one_run_length_chunk()
    {
        long[] arrivals = [.. Enumerable.Repeat(-1L, 250).Prepend(1_000).Append(2_000)];
        byte[] buffer = new byte[TransportWideFeedbackWriter.MaxSize(arrivals.Length)];

        int length = TransportWideFeedbackWriter.TryWrite(buffer, 1, 2, 0, arrivals, 0);

        Assert.InRange(length, TransportWideFeedback.MinimumSize, TransportWideFeedback.MinimumSize + 16);
        Assert.Equal(252, Read(buffer.AsSpan(0, length)).Count);
    }

    [Theory]
    [InlineData("8F CD 00 04 00000001 00000002 0000 0001 000000 00")]                  // one packet, no chunk at all
    [InlineData("8F CD 00 05 00000001 00000002 0000 FFFF 000000 00 2001 0000")]        // a huge count the chunks do not cover
    [InlineData("8F CD 00 05 00000001 00000002 0000 0003 000000 00 5003 0000")]        // three large deltas announced, none present
    [InlineData("8F CD 00 05 00000001 00000002 0000 0003 000000 00 0000 0000")]        // empty runs only
    [InlineData("8E CD 00 04 00000001 00000002 0000 0000 000000 00")]                  // FMT 14 is another message
    public void Malformed_feedback_is_rejected(string hex)
    {
        byte[] packet = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

        Assert.False(TransportWideFeedback.TryParse(packet, out _));
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_report_more_than_announced()
    {
        var random = new Random(42);
        byte[] packet = new byte[64];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(packet);
            packet[0] = 0x8F;
            packet[1] = 205;
            packet[2] = 0;
            packet[3] = (byte)random.Next(4, 16);
            int size = (packet[3] + 1) * 4;
            if (TransportWideFeedback.TryParse(packet.AsSpan(0, size), out TransportWideFeedback feedback))
            {
                int seen = 0;
                foreach (TransportWidePacketStatus status in feedback.Packets)
                {
                    seen++;
                }

                Assert.Equal(feedback.PacketStatusCount, seen);
            }
        }
    }
}
