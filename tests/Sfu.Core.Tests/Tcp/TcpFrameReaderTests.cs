using Sfu.Core.Tcp;

namespace Sfu.Core.Tests.Tcp;

/// <summary>
/// RFC 4571 framing as ICE-TCP carries it: the stream is cut at each 16-bit length prefix
/// however the bytes arrive, and a length of zero or above the largest datagram stops it.
/// </summary>
public sealed class TcpFrameReaderTests
{
    private const int MaxFrame = 2048;

    public static TheoryData<string, byte[], int[], string[]> Streams => new()
    {
        // name, stream bytes, chunk sizes the bytes arrive in, frames (hex) expected
        { "one frame in one read", [0x00, 0x03, 0xAA, 0xBB, 0xCC], [5], ["AABBCC"] },
        { "two frames in one read", [0x00, 0x01, 0x11, 0x00, 0x02, 0x22, 0x33], [7], ["11", "2233"] },
        { "length prefix split across reads", [0x00, 0x02, 0x44, 0x55], [1, 3], ["4455"] },
        { "payload split across reads", [0x00, 0x04, 0x01, 0x02, 0x03, 0x04], [3, 1, 2], ["01020304"] },
        { "byte by byte", [0x00, 0x02, 0x99, 0x98, 0x00, 0x01, 0x97], [1, 1, 1, 1, 1, 1, 1], ["9998", "97"] },
        { "a frame and a half", [0x00, 0x01, 0x10, 0x00, 0x03, 0x20], [6], ["10"] },
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public void Frames_come_out_whole_however_the_stream_is_cut(string name, byte[] stream, int[] chunks, string[] expected)
    {
        var reader = new TcpFrameReader(new byte[2 * (MaxFrame + 2)], MaxFrame);
        var frames = new List<string>();
        int offset = 0;
        foreach (int chunk in chunks)
        {
            stream.AsSpan(offset, chunk).CopyTo(reader.GetWritable().Span);
            reader.Advance(chunk);
            offset += chunk;
            while (reader.TryRead(out Span<byte> frame) == TcpFrameResult.Frame)
            {
                frames.Add(Convert.ToHexString(frame));
            }
        }

        Assert.True(expected.SequenceEqual(frames), name + ": " + string.Join(",", frames));
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x00, 0x80 }, TcpFrameResult.EmptyFrame)]
    [InlineData(new byte[] { 0x08, 0x01, 0x80 }, TcpFrameResult.TooLong)] // 2049: one byte over
    [InlineData(new byte[] { 0xFF, 0xFF }, TcpFrameResult.TooLong)]
    [InlineData(new byte[] { 0x16, 0xFE, 0xFD }, TcpFrameResult.TooLong)] // a bare DTLS record: no length prefix
    public void A_bad_length_prefix_stops_the_stream(byte[] stream, TcpFrameResult expected)
    {
        var reader = new TcpFrameReader(new byte[2 * (MaxFrame + 2)], MaxFrame);
        stream.CopyTo(reader.GetWritable().Span);
        reader.Advance(stream.Length);

        Assert.Equal(expected, reader.TryRead(out Span<byte> frame));
        Assert.True(frame.IsEmpty);
        Assert.Equal(expected, reader.TryRead(out _));
    }

    [Fact]
    public void The_largest_frame_fits_after_a_partial_one_is_moved_to_the_front()
    {
        var reader = new TcpFrameReader(new byte[MaxFrame + 2], MaxFrame);
        byte[] big = new byte[MaxFrame + 2];
        TcpFrameReader.WriteHeader(big, MaxFrame);
        big[^1] = 0x7E;

        // A small frame, then the first half of the largest one.
        byte[] head = [0x00, 0x01, 0x42, .. big.AsSpan(0, 1000)];
        head.CopyTo(reader.GetWritable().Span);
        reader.Advance(head.Length);
        Assert.Equal(TcpFrameResult.Frame, reader.TryRead(out Span<byte> small));
        Assert.Equal(0x42, small[0]);
        Assert.Equal(TcpFrameResult.NeedMore, reader.TryRead(out _));

        Memory<byte> space = reader.GetWritable();
        Assert.Equal(big.Length - 1000, space.Length);
        big.AsSpan(1000).CopyTo(space.Span);
        reader.Advance(big.Length - 1000);
        Assert.Equal(TcpFrameResult.Frame, reader.TryRead(out Span<byte> whole));
        Assert.Equal(MaxFrame, whole.Length);
        Assert.Equal(0x7E, whole[^1]);
        Assert.Equal(0, reader.Buffered);
    }

    [Fact]
    public void A_buffer_too_small_for_the_largest_frame_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new TcpFrameReader(new byte[MaxFrame + 1], MaxFrame));
}
