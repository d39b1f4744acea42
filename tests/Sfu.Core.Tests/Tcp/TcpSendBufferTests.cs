using System.Buffers.Binary;
using Sfu.Core.Net;
using Sfu.Core.Tcp;

namespace Sfu.Core.Tests.Tcp;

/// <summary>
/// The bounded send side of an ICE-TCP connection: frames leave length-prefixed, control before
/// audio before video; when full, the oldest video goes first and control goes last.
/// </summary>
public sealed class TcpSendBufferTests
{
    [Fact]
    public void Frames_leave_length_prefixed_control_then_audio_then_video()
    {
        var buffer = new TcpSendBuffer(1024);
        Assert.True(buffer.Enqueue([0x80, 1], DatagramPriority.Video, out _));
        Assert.True(buffer.Enqueue([0x80, 2], DatagramPriority.Audio, out _));
        Assert.True(buffer.Enqueue([0x00, 3], DatagramPriority.Control, out _));

        byte[] wire = new byte[64];
        int length = buffer.Drain(wire);

        Assert.Equal("2:0003 2:8002 2:8001", Frames(wire.AsSpan(0, length)));
        Assert.Equal(0, buffer.Bytes);
    }

    [Fact]
    public void A_full_buffer_drops_the_oldest_video_first_and_keeps_control()
    {
        // Room for three 100-byte datagrams with their prefixes.
        var buffer = new TcpSendBuffer(3 * 102);
        Assert.True(buffer.Enqueue(Datagram(1), DatagramPriority.Video, out _));
        Assert.True(buffer.Enqueue(Datagram(2), DatagramPriority.Video, out _));
        Assert.True(buffer.Enqueue(Datagram(3), DatagramPriority.Control, out _));

        Assert.True(buffer.Enqueue(Datagram(4), DatagramPriority.Audio, out int dropped));
        Assert.Equal(1, dropped);
        Assert.True(buffer.Enqueue(Datagram(5), DatagramPriority.Video, out dropped));
        Assert.Equal(1, dropped);

        // Full of control and audio: new video has nothing older of its worth to push out.
        Assert.True(buffer.Enqueue(Datagram(6), DatagramPriority.Control, out dropped));
        Assert.Equal(1, dropped);
        Assert.False(buffer.Enqueue(Datagram(7), DatagramPriority.Video, out dropped));
        Assert.Equal(1, dropped);

        byte[] wire = new byte[1024];
        int length = buffer.Drain(wire);
        Assert.Equal("030604", Markers(wire.AsSpan(0, length)));
    }

    [Fact]
    public void Drain_takes_only_whole_frames_that_fit()
    {
        var buffer = new TcpSendBuffer(4096);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(buffer.Enqueue(Datagram((byte)i), DatagramPriority.Video, out _));
        }

        byte[] wire = new byte[250];
        Assert.Equal(204, buffer.Drain(wire));
        Assert.Equal(3 * 102, buffer.Bytes);
    }

    private static byte[] Datagram(byte marker)
    {
        byte[] datagram = new byte[100];
        datagram[0] = 0x80;
        datagram[1] = marker;
        return datagram;
    }

    /// <summary>The second byte of each frame, in wire order.</summary>
    private static string Markers(ReadOnlySpan<byte> wire)
    {
        var markers = new List<string>();
        while (wire.Length >= 2)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(wire);
            markers.Add(wire[3].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            wire = wire[(2 + length)..];
        }

        return string.Join(string.Empty, markers);
    }

    /// <summary>Each frame as "length:payload" in hex, in wire order.</summary>
    private static string Frames(ReadOnlySpan<byte> wire)
    {
        var frames = new List<string>();
        while (wire.Length >= 2)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(wire);
            frames.Add(length + ":" + Convert.ToHexString(wire.Slice(2, length)));
            wire = wire[(2 + length)..];
        }

        return string.Join(" ", frames);
    }
}
