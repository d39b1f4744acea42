using Sfu.Core.Rtp;

namespace Sfu.Bots.Tests;

public sealed class RtpAndTimingTests
{
    [Fact]
    public void Rtp_header_with_abs_send_time_parses_with_the_core_reader()
    {
        byte[] packet = new byte[64];
        int header = RtpPacketWriter.WriteHeader(packet, 111, true, 0xFFFE, 0x01020304, 0xCAFEBABE, 3, 0xABCDEF);

        Assert.Equal(RtpPacketWriter.MaxHeaderLength, header);
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet.AsSpan(0, header + 10), out RtpPacket view));
        Assert.Equal((111, true, (ushort)0xFFFE, 0x01020304u, 0xCAFEBABEu), (view.PayloadType, view.Marker, view.SequenceNumber, view.Timestamp, view.Ssrc));
        Assert.True(view.TryGetExtension(3, out ReadOnlySpan<byte> value));
        Assert.Equal(0xABCDEFu, AbsSendTime.Read(value));
        Assert.Equal(10, view.Payload.Length);
    }

    [Fact]
    public void Rtp_header_without_extension_is_twelve_bytes()
    {
        byte[] packet = new byte[12];
        Assert.Equal(12, RtpPacketWriter.WriteHeader(packet, 96, false, 1, 2, 3, 0, 0));
        Assert.Equal(new byte[] { 0x80, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 }, packet);
    }

    [Fact]
    public void Rtp_header_with_mid_and_rid_writes_rfc8285_one_byte_elements_padded_to_a_word()
    {
        byte[] packet = new byte[64];
        int header = RtpPacketWriter.WriteHeader(packet, 96, false, 7, 8, 9, 4, "1"u8, 10, "q"u8);

        // 12 fixed + 0xBEDE, length 1 word + [0x40 '1'] [0xA0 'q'] = 20 bytes.
        Assert.Equal(20, header);
        Assert.Equal(new byte[] { 0xBE, 0xDE, 0x00, 0x01, 0x40, (byte)'1', 0xA0, (byte)'q' }, packet[12..20]);
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet.AsSpan(0, header + 4), out RtpPacket view));
        Assert.True(view.TryGetExtension(4, out ReadOnlySpan<byte> mid));
        Assert.True(view.TryGetExtension(10, out ReadOnlySpan<byte> rid));
        Assert.Equal("1"u8.ToArray(), mid.ToArray());
        Assert.Equal("q"u8.ToArray(), rid.ToArray());
        Assert.Equal(4, view.Payload.Length);
    }

    [Fact]
    public void Rtp_header_with_only_a_rid_pads_the_element_with_zeros()
    {
        byte[] packet = Enumerable.Repeat((byte)0xEE, 64).ToArray();
        int header = RtpPacketWriter.WriteHeader(packet, 96, false, 7, 8, 9, 0, "1"u8, 10, "hi"u8);

        Assert.Equal(20, header);
        Assert.Equal(new byte[] { 0xBE, 0xDE, 0x00, 0x01, 0xA1, (byte)'h', (byte)'i', 0x00 }, packet[12..20]);
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet.AsSpan(0, header), out RtpPacket view));
        Assert.False(view.TryGetExtension(4, out _));
        Assert.True(view.TryGetExtension(10, out ReadOnlySpan<byte> rid));
        Assert.Equal("hi"u8.ToArray(), rid.ToArray());
    }

    [Fact]
    public void Rtp_header_without_valid_ids_has_no_extension()
    {
        byte[] packet = new byte[64];
        Assert.Equal(12, RtpPacketWriter.WriteHeader(packet, 96, false, 7, 8, 9, 0, "1"u8, 15, "q"u8));
        Assert.Equal(0x80, packet[0]);
    }

    [Theory]
    // 1 s is 1 << 18 in 6.18 fixed point
    [InlineData(1_000_000L, 0x04_0000u)]
    // 0.5 s
    [InlineData(500_000L, 0x02_0000u)]
    // 64 s wraps to 0
    [InlineData(64_000_000L, 0u)]
    // 63.999996 s is the largest value
    [InlineData(63_999_997L, 0xFF_FFFFu)]
    public void Abs_send_time_encodes_6_18_fixed_point_seconds(long micros, uint expected)
        => Assert.Equal(expected, AbsSendTime.FromMicroseconds(micros));

    [Theory]
    // plain difference of 25 ms
    [InlineData(10_000_000L, 10_025_000L, 25_000L)]
    // across the 64 s wrap
    [InlineData(63_990_000L, 64_010_000L, 20_000L)]
    public void Abs_send_time_difference_handles_wrap(long sentMicros, long nowMicros, long expectedMicros)
    {
        long elapsed = AbsSendTime.ElapsedMicroseconds(AbsSendTime.FromMicroseconds(sentMicros), AbsSendTime.FromMicroseconds(nowMicros));
        Assert.InRange(elapsed, expectedMicros - 8, expectedMicros + 8);
    }

    [Fact]
    public void Jitter_is_zero_for_perfect_pacing_and_follows_rfc3550_for_a_late_packet()
    {
        var jitter = new JitterEstimator(90000);
        for (int i = 0; i < 10; i++)
        {
            jitter.Update(i / 30.0, i * 3000L);
        }

        Assert.Equal(0, jitter.JitterUnits, 6);

        // One packet 10 ms late: |D| = 900 units, J = 900 / 16; the next on time: J += (900 - J) / 16.
        jitter.Update((10 / 30.0) + 0.010, 30000);
        Assert.Equal(900 / 16.0, jitter.JitterUnits, 3);
        jitter.Update(11 / 30.0, 33000);
        Assert.Equal((900 / 16.0) + ((900 - (900 / 16.0)) / 16.0), jitter.JitterUnits, 3);
    }

    [Theory]
    [InlineData(440)]
    [InlineData(1000)]
    public void Goertzel_finds_the_tone_of_an_opus_round_trip(double frequency)
    {
        var encoder = new OpusToneEncoder(frequency, 32000);
        var decoder = Concentus.OpusCodecFactory.CreateDecoder(48000, 1);
        short[] pcm = new short[9600];
        byte[] packet = new byte[OpusToneEncoder.MaxPacketLength];
        int filled = 0;
        for (int frame = 0; frame < 20; frame++)
        {
            int length = encoder.EncodeNextFrame(packet);
            short[] decoded = new short[960];
            int samples = decoder.Decode(packet.AsSpan(0, length), decoded, 960, false);
            if (frame >= 10)
            {
                decoded.AsSpan(0, samples).CopyTo(pcm.AsSpan(filled));
                filled += samples;
            }
        }

        Assert.InRange(Goertzel.DominantFrequency(pcm.AsSpan(0, filled), 48000, 50, 4000, 5), frequency - 10, frequency + 10);
    }

    [Fact]
    public void A_replayed_tone_loop_is_shared_and_decodes_as_one_tone_across_its_seams()
    {
        OpusToneLoop loop = OpusToneLoop.For(500, 32000);
        Assert.Same(loop, OpusToneLoop.For(500, 32000));
        Assert.NotSame(loop, OpusToneLoop.For(600, 32000));

        // Three passes through the fifty-frame loop, decoded as one stream; the windows around
        // frames 50 and 100 straddle the seams.
        var decoder = Concentus.OpusCodecFactory.CreateDecoder(48000, 1);
        short[] pcm = new short[150 * 960];
        byte[] packet = new byte[OpusToneEncoder.MaxPacketLength];
        int filled = 0;
        for (long frame = 0; frame < 150; frame++)
        {
            int length = loop.CopyFrame(frame, packet);
            Assert.Equal(Frame(loop, frame % 50), packet.AsSpan(0, length).ToArray());
            filled += decoder.Decode(packet.AsSpan(0, length), pcm.AsSpan(filled, 960), 960, false);
        }

        foreach (int seam in new[] { 50, 100 })
        {
            Span<short> around = pcm.AsSpan((seam - 5) * 960, 10 * 960);
            Assert.InRange(Goertzel.DominantFrequency(around, 48000, 50, 4000, 5), 490, 510);
        }
    }

    private static byte[] Frame(OpusToneLoop loop, long index)
    {
        byte[] frame = new byte[OpusToneEncoder.MaxPacketLength];
        return frame.AsSpan(0, loop.CopyFrame(index, frame)).ToArray();
    }

    [Fact]
    public void Latency_percentiles_use_nearest_rank()
    {
        var recorder = new LatencyRecorder(capacity: 100);
        for (int i = 1; i <= 100; i++)
        {
            recorder.Add(i);
        }

        Assert.Equal((50.0, 99.0, 100L), (recorder.Percentile(50), recorder.Percentile(99), recorder.Total));
        Assert.True(double.IsNaN(new LatencyRecorder().Percentile(50)));
    }

    [Fact]
    public void Packet_building_and_reading_do_not_allocate()
    {
        byte[] buffer = new byte[1500];
        void Once(int i)
        {
            int header = RtpPacketWriter.WriteHeader(buffer, 96, true, (ushort)i, (uint)i, 1, 3, AbsSendTime.FromMicroseconds(i));
            Vp8SyntheticPayload.Write(buffer.AsSpan(header), 1000, i % 2 == 0, i % 4 == 0, 1000, i, (uint)i);
            _ = Vp8SyntheticPayload.TryRead(buffer.AsSpan(header, 1000), out _, out _, out _);
            _ = RtpPacket.TryParse(buffer.AsSpan(0, header + 1000), out _);
        }

        Assert.Equal(0, Allocations.Measure(Once));
    }
}
