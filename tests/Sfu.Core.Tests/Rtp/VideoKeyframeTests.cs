using Sfu.Core.Rtp;

namespace Sfu.Core.Tests.Rtp;

public class VideoKeyframeTests
{
    [Theory]
    // Minimal descriptor S=1 PID=0; frame tag 50 42 00 has P (LSB of its first byte) = 0,
    // followed by the key frame start code 9D 01 2A: key frame.
    [InlineData("10 50 42 00 9D 01 2A", true)]
    // Frame tag 31 06 00 has P=1: inter frame.
    [InlineData("10 31 06 00", false)]
    // S=0: a continuation packet never starts a frame, even if its byte looks like a key tag.
    [InlineData("00 50 42 00", false)]
    // S=1 but PID=1: not the first partition.
    [InlineData("11 50 42 00", false)]
    // X=1, I=1, 15-bit PictureID (M=1) 0x0123, then a key frame tag.
    [InlineData("90 80 81 23 50 42 00 9D 01 2A", true)]
    // X=1, I=1, 7-bit PictureID 0x12, then an inter frame tag.
    [InlineData("90 80 12 31 06 00", false)]
    // X=1 with I, L, T, K all set: PictureID(2) TL0PICIDX TID|Y|KEYIDX, then a key frame tag.
    [InlineData("90 F0 81 23 05 40 50 42 00", true)]
    // Same layout with an inter frame tag: proves the tag is read at the right offset.
    [InlineData("90 F0 81 23 05 40 31 06 00", false)]
    // X=1 with L only: TL0PICIDX, then a key frame tag.
    [InlineData("90 40 05 50", true)]
    // X=1 with K only: TID|Y|KEYIDX byte 01 (odd) must be skipped, then a key frame tag.
    [InlineData("90 10 01 50", true)]
    // Truncated before the frame tag.
    [InlineData("90 F0 81 23 05 40", false)]
    // Truncated inside the 15-bit PictureID.
    [InlineData("90 80 81", false)]
    // Truncated before the extension byte.
    [InlineData("90", false)]
    // Descriptor only.
    [InlineData("10", false)]
    [InlineData("", false)]
    public void Vp8(string hex, bool expected)
        => Assert.Equal(expected, VideoKeyframe.IsKeyframe(Hex.Parse(hex), VideoCodecKind.Vp8));

    [Theory]
    // Single NAL, IDR slice (0x65 = NRI 3, type 5).
    [InlineData("65 88 84", true)]
    // Single NAL, SPS (0x67 = type 7).
    [InlineData("67 42 C0 1F", true)]
    // Single NAL, PPS (type 8): not on its own.
    [InlineData("68 CE 3C 80", false)]
    // Single NAL, non-IDR slice (type 1).
    [InlineData("41 9A 02", false)]
    // STAP-A (0x78 = type 24) with SPS (size 4) then PPS (size 2).
    [InlineData("78 00 04 67 42 C0 1F 00 02 68 CE", true)]
    // STAP-A with a PPS then an IDR.
    [InlineData("78 00 02 68 CE 00 02 65 88", true)]
    // STAP-A with only non-IDR slices.
    [InlineData("78 00 02 41 9A 00 02 41 9B", false)]
    // STAP-A whose size runs past the end.
    [InlineData("78 00 09 67 42", false)]
    // FU-A (0x7C = type 28), start bit set, IDR.
    [InlineData("7C 85 88 84", true)]
    // FU-A IDR without the start bit (middle fragment).
    [InlineData("7C 05 88 84", false)]
    // FU-A start of a non-IDR slice.
    [InlineData("7C 81 9A", false)]
    // FU-A indicator alone.
    [InlineData("7C", false)]
    [InlineData("", false)]
    public void H264(string hex, bool expected)
        => Assert.Equal(expected, VideoKeyframe.IsKeyframe(Hex.Parse(hex), VideoCodecKind.H264));

    [Fact]
    public void Unknown_codec_is_never_a_keyframe()
        => Assert.False(VideoKeyframe.IsKeyframe(Hex.Parse("65 88"), VideoCodecKind.Unknown));

    [Fact]
    public void Random_payloads_never_throw()
    {
        var random = new Random(7741);
        var buffer = new byte[16];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            int length = random.Next(buffer.Length + 1);
            _ = VideoKeyframe.IsKeyframe(buffer.AsSpan(0, length), VideoCodecKind.Vp8);
            _ = VideoKeyframe.IsKeyframe(buffer.AsSpan(0, length), VideoCodecKind.H264);
        }
    }

    [Theory]
    // I=0 P=0 L=0 B=1: the start of a picture predicted from nothing: keyframe.
    [InlineData("08 AA", true)]
    // P=1: inter-predicted.
    [InlineData("48 AA", false)]
    // B=0: not the start of a frame.
    [InlineData("00 AA", false)]
    // I=1 with a 15-bit picture id (M=1), L=1, layer byte SID 0: keyframe.
    [InlineData("A8 81 23 00 AA", true)]
    // Same with SID 1 (layer byte 0x02): an upper spatial layer of the keyframe, not its start.
    [InlineData("A8 81 23 02 AA", false)]
    // I=1 with a 7-bit picture id, L=1, TID 2 and SID 0 (layer byte 0x40): keyframe.
    [InlineData("A8 12 40", true)]
    // Truncated inside the picture id, and before the layer byte.
    [InlineData("88 81", false)]
    [InlineData("A8 81 23", false)]
    [InlineData("", false)]
    public void Vp9_RFC_9628_4_2(string hex, bool expected)
        => Assert.Equal(expected, VideoKeyframe.IsKeyframe(Hex.Parse(hex), VideoCodecKind.Vp9));

    [Theory]
    // N=1 (0x08 with W=1: 0x18): first packet of a coded video sequence.
    [InlineData("18 0A 0B", true)]
    // Z=1: continues an OBU from the previous packet, even with N set.
    [InlineData("98 0A", false)]
    // W=1, no length field, OBU header type 1 (0x0A: type 1, S=1): sequence header.
    [InlineData("10 0A 0B 00", true)]
    // W=1, OBU type 6 (frame, 0x32): not a keyframe on its own.
    [InlineData("10 32 00", false)]
    // W=2: the first element has a leb128 length (0x83 0x01 = 131), then a sequence header.
    [InlineData("20 83 01 0A 00", true)]
    // W=0 with a one-byte length, then a temporal delimiter (type 2, 0x12).
    [InlineData("00 02 12 00", false)]
    // Truncated after the length.
    [InlineData("20 83 01", false)]
    [InlineData("", false)]
    public void Av1_aggregation_header_and_obu_type(string hex, bool expected)
        => Assert.Equal(expected, VideoKeyframe.IsKeyframe(Hex.Parse(hex), VideoCodecKind.Av1));
}
