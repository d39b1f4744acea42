using Sfu.Core.Rtp;

namespace Sfu.Bots.Tests;

public sealed class Vp8SyntheticPayloadTests
{
    [Theory]
    // first packet of a key frame: S=1, frame tag P=0, start code + dimensions, then the stamp
    [InlineData(true, true, 0x10, 0x00)]
    // first packet of an inter frame: S=1, frame tag P=1
    [InlineData(true, false, 0x10, 0x01)]
    // continuation packet: S=0, no frame header; the stamp follows the descriptor
    [InlineData(false, false, 0x00, -1)]
    public void Writes_descriptor_and_frame_tag_per_rfc7741_and_rfc6386(bool first, bool key, byte descriptor, int tagLowBit)
    {
        byte[] payload = new byte[100];
        Vp8SyntheticPayload.Write(payload, payload.Length, first, key, 5000, 1_234_567_890_123, 77);

        Assert.Equal(descriptor, payload[0]);
        if (tagLowBit >= 0)
        {
            Assert.Equal(tagLowBit, payload[1] & 0x01);
            Assert.Equal(0x10, payload[1] & 0x10); // show_frame
        }

        if (key)
        {
            Assert.Equal(new byte[] { 0x9D, 0x01, 0x2A }, payload[4..7]);
        }

        Assert.Equal(first && key, VideoKeyframe.IsKeyframe(payload, VideoCodecKind.Vp8));
        Assert.True(Vp8SyntheticPayload.TryRead(payload, out long sent, out uint frame, out bool keyframe));
        Assert.Equal(1_234_567_890_123, sent);
        Assert.Equal(77u, frame);
        Assert.Equal(first && key, keyframe);
    }

    [Theory]
    [InlineData(320, 180)]
    [InlineData(640, 360)]
    [InlineData(1280, 720)]
    public void Key_frames_declare_the_layer_size_the_core_reads(int width, int height)
    {
        byte[] payload = new byte[100];
        Vp8SyntheticPayload.Write(payload, payload.Length, true, true, 5000, 1, 2, width, height);

        Assert.True(Vp8Descriptor.TryGetKeyframeSize(payload, out int w, out int h));
        Assert.Equal((width, height), (w, h));
        Vp8SyntheticPayload.Write(payload, payload.Length, true, false, 5000, 1, 3, width, height);
        Assert.False(Vp8Descriptor.TryGetKeyframeSize(payload, out _, out _));
    }

    [Theory]
    // X=1, I=1 with a 15-bit PictureID (M=1), L=1 TL0PICIDX, T=1 TID: 5 descriptor bytes before the tag
    [InlineData(new byte[] { 0x90, 0xE0, 0x80, 0x01, 0x05, 0x20 }, 6)]
    // X=1, I=1 with a 7-bit PictureID: 3 descriptor bytes
    [InlineData(new byte[] { 0x90, 0x80, 0x05 }, 3)]
    public void Reads_past_optional_descriptor_fields(byte[] descriptor, int descriptorLength)
    {
        byte[] ours = new byte[60];
        Vp8SyntheticPayload.Write(ours, ours.Length, true, false, 60, 42, 9);
        byte[] payload = [.. descriptor[..descriptorLength], .. ours[1..]];

        Assert.True(Vp8SyntheticPayload.TryRead(payload, out long sent, out uint frame, out _));
        Assert.Equal(42, sent);
        Assert.Equal(9u, frame);
    }

    [Fact]
    public void Truncation_at_every_length_is_rejected_without_throwing()
    {
        byte[] payload = new byte[Vp8SyntheticPayload.MinPayloadLength];
        Vp8SyntheticPayload.Write(payload, payload.Length, true, true, 100, 5, 6);
        for (int length = 0; length < payload.Length; length++)
        {
            Assert.False(Vp8SyntheticPayload.TryRead(payload.AsSpan(0, length), out _, out _, out _), $"length {length}");
        }

        Assert.True(Vp8SyntheticPayload.TryRead(payload, out _, out _, out _));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(7);
        byte[] buffer = new byte[64];
        for (int i = 0; i < 10_000; i++)
        {
            int length = random.Next(buffer.Length + 1);
            random.NextBytes(buffer);
            _ = Vp8SyntheticPayload.TryRead(buffer.AsSpan(0, length), out _, out _, out _);
        }
    }

    [Fact]
    public void Round_trips_random_stamps()
    {
        var random = new Random(11);
        byte[] buffer = new byte[1200];
        for (int i = 0; i < 1000; i++)
        {
            bool first = random.Next(2) == 0;
            bool key = first && random.Next(2) == 0;
            int length = random.Next(Vp8SyntheticPayload.MinPayloadLength, buffer.Length + 1);
            long micros = random.NextInt64(0, long.MaxValue);
            uint frame = (uint)random.NextInt64(0, uint.MaxValue);
            Vp8SyntheticPayload.Write(buffer, length, first, key, length, micros, frame);

            Assert.True(Vp8SyntheticPayload.TryRead(buffer.AsSpan(0, length), out long readMicros, out uint readFrame, out bool readKey));
            Assert.Equal((micros, frame, key), (readMicros, readFrame, readKey));
        }
    }
}
