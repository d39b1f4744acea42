using System.Buffers.Binary;

namespace Sfu.LoadTest.Tests;

/// <summary>The clear-header counter alone: sequence gaps are loss, wrap-around is not, SSRCs are kept apart.</summary>
public sealed class ClearRtpCounterTests
{
    [Theory]
    //            sequence numbers in arrival order     packets  expected
    [InlineData(new[] { 1, 2, 3, 4 }, 4, 4)]
    [InlineData(new[] { 65534, 65535, 0, 1 }, 4, 4)] // wraps: no loss
    [InlineData(new[] { 65534, 65535, 2 }, 3, 5)] // 0 and 1 lost across the wrap
    [InlineData(new[] { 10, 12, 11, 13 }, 4, 4)] // reordered, nothing lost
    [InlineData(new[] { 10, 20 }, 2, 11)] // nine lost
    public void Loss_comes_from_sequence_gaps_with_wraparound(int[] sequences, long packets, long expected)
    {
        var counter = new ClearRtpCounter();
        foreach (int sequence in sequences)
        {
            counter.Count(Packet(0x1234_5678, (ushort)sequence, 200));
        }

        Assert.Equal((packets, expected), counter.Get(0x1234_5678));
        Assert.Equal(packets * 200, counter.Bytes);
    }

    [Fact]
    public void Streams_are_counted_per_ssrc_and_non_rtp_is_refused()
    {
        var counter = new ClearRtpCounter();
        counter.Count(Packet(1, 100, 50));
        counter.Count(Packet(2, 7, 50));
        counter.Count(Packet(2, 9, 50));
        counter.Count(new byte[11]);
        byte[] version1 = Packet(1, 101, 50);
        version1[0] = 0x40;
        counter.Count(version1);

        Assert.Equal((1, 1), counter.Get(1));
        Assert.Equal((2, 3), counter.Get(2));
        Assert.Equal((0, 0), counter.Get(3));
        Assert.Equal([1u, 2u], counter.Ssrcs().Order());
        Assert.Equal(2, counter.Malformed);
    }

    private static byte[] Packet(uint ssrc, ushort sequence, int length)
    {
        byte[] packet = new byte[length];
        packet[0] = 0x80;
        packet[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        return packet;
    }
}
