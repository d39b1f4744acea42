using Sfu.Core.Rtp;

namespace Sfu.Core.Tests.Rtp;

public class RtpSequenceTests
{
    [Theory]
    [InlineData(2, 1, true)]          // plain successor
    [InlineData(1, 2, false)]         // plain predecessor
    [InlineData(5, 5, false)]         // equal is not newer
    [InlineData(0, 65535, true)]      // wrap: 0 follows 65535
    [InlineData(65535, 0, false)]     // ...and not the other way
    [InlineData(100, 65000, true)]    // 636 ahead across the wrap
    [InlineData(0x7FFF, 0, true)]     // just under half the space ahead
    [InlineData(0x8000, 0, true)]     // exactly half: larger value wins
    [InlineData(0, 0x8000, false)]    // ...so the reverse is false
    [InlineData(0x8001, 0, false)]    // more than half ahead means behind
    public void IsNewer_16_bit(int a, int b, bool expected)
        => Assert.Equal(expected, RtpSequence.IsNewer((ushort)a, (ushort)b));

    [Theory]
    [InlineData(2u, 1u, true)]
    [InlineData(0u, 0xFFFF_FFFFu, true)]            // wrap
    [InlineData(0xFFFF_FFFFu, 0u, false)]
    [InlineData(0x8000_0000u, 0u, true)]             // exactly half: larger wins
    [InlineData(0u, 0x8000_0000u, false)]
    [InlineData(0x8000_0001u, 0u, false)]
    public void IsNewer_32_bit(uint a, uint b, bool expected)
        => Assert.Equal(expected, RtpSequence.IsNewer(a, b));

    [Theory]
    [InlineData(1, 2, 1)]
    [InlineData(2, 1, -1)]
    [InlineData(65535, 0, 1)]       // forward across the wrap
    [InlineData(0, 65535, -1)]      // backward across the wrap
    [InlineData(65000, 100, 636)]
    [InlineData(0, 0x8000, -32768)] // the half-way point reads as behind
    public void Distance_16_bit(int from, int to, int expected)
        => Assert.Equal(expected, RtpSequence.Distance((ushort)from, (ushort)to));

    [Theory]
    [InlineData(0xFFFF_FFF0u, 0x10u, 32L)]
    [InlineData(0x10u, 0xFFFF_FFF0u, -32L)]
    public void Distance_32_bit(uint from, uint to, long expected)
        => Assert.Equal(expected, RtpSequence.Distance(from, to));

    [Theory]
    // in-order start
    [InlineData(new int[] { 10, 11, 12 }, new long[] { 10, 11, 12 })]
    // wrap forward into cycle 1
    [InlineData(new int[] { 65534, 65535, 0, 1 }, new long[] { 65534, 65535, 65536, 65537 })]
    // reordered packet from before the wrap stays in cycle 0
    [InlineData(new int[] { 65535, 1, 0, 65534, 2 }, new long[] { 65535, 65537, 65536, 65534, 65538 })]
    // a late packet from before the first one, across a wrap, is negative
    [InlineData(new int[] { 0, 65535 }, new long[] { 0, -1 })]
    // two wraps with gaps under half the space
    [InlineData(new int[] { 0, 30000, 60000, 24464, 54464, 18928 }, new long[] { 0, 30000, 60000, 90000, 120000, 150000 })]
    // duplicates return the same value
    [InlineData(new int[] { 7, 7, 8, 7 }, new long[] { 7, 7, 8, 7 })]
    public void Sequence_unwrapper(int[] input, long[] expected)
    {
        var unwrapper = new Unwrapper<ushort>();
        Assert.Equal(-1, unwrapper.Highest);
        long[] actual = input.Select(s => unwrapper.Unwrap((ushort)s)).ToArray();
        Assert.Equal(expected, actual);
        Assert.Equal(expected.Max(), unwrapper.Highest);
        unwrapper.Reset();
        Assert.Equal(-1, unwrapper.Highest);
    }

    [Theory]
    // 90 kHz video frames across the 32-bit wrap
    [InlineData(new uint[] { 0xFFFF_0000u, 0xFFFF_FFFFu, 0x0000_FFFFu }, new long[] { 0xFFFF_0000L, 0xFFFF_FFFFL, 0x1_0000_FFFFL })]
    // a step back (B-frame or reorder) does not count as a wrap
    [InlineData(new uint[] { 0x100u, 0x50u, 0x200u }, new long[] { 0x100L, 0x50L, 0x200L })]
    // backwards across the wrap after having wrapped
    [InlineData(new uint[] { 0xFFFF_FFF0u, 0x10u, 0xFFFF_FFFFu }, new long[] { 0xFFFF_FFF0L, 0x1_0000_0010L, 0xFFFF_FFFFL })]
    public void Timestamp_unwrapper(uint[] input, long[] expected)
    {
        var unwrapper = new Unwrapper<uint>();
        long[] actual = input.Select(unwrapper.Unwrap).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Unwrapper_follows_a_long_random_walk()
    {
        var random = new Random(3550);
        var unwrapper = new Unwrapper<ushort>();
        long truth = 40_000;
        Assert.Equal(truth, unwrapper.Unwrap((ushort)truth));
        for (int i = 0; i < 100_000; i++)
        {
            // Mostly forward, sometimes a reordered packet up to 100 back.
            long value = random.Next(10) == 0 ? truth - random.Next(1, 100) : truth += random.Next(1, 50);
            Assert.Equal(value, unwrapper.Unwrap((ushort)value));
        }
    }
}
