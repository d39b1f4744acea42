using Sfu.Core.Streams;

namespace Sfu.Core.Tests.Streams;

public class RetransmissionBufferTests
{
    [Fact]
    public void Returns_what_was_stored_until_the_slot_is_reused()
    {
        var buffer = new RetransmissionBuffer(capacity: 4);
        buffer.Store(65534, [1, 2, 3]);
        buffer.Store(65535, [4]);
        buffer.Store(0, [5, 6]);

        Assert.True(buffer.TryGet(65534, out ReadOnlySpan<byte> first));
        Assert.Equal(new byte[] { 1, 2, 3 }, first.ToArray());
        Assert.True(buffer.TryGet(0, out ReadOnlySpan<byte> wrapped));
        Assert.Equal(new byte[] { 5, 6 }, wrapped.ToArray());

        buffer.Store(2, [7]); // 65534 % 4 == 2 % 4: the older packet is gone
        Assert.False(buffer.TryGet(65534, out _));
        Assert.False(buffer.TryGet(1, out _));
    }

    [Fact]
    public void Oversized_packets_are_not_kept()
    {
        var buffer = new RetransmissionBuffer(capacity: 2);
        buffer.Store(1, new byte[RetransmissionBuffer.SlotSize + 1]);

        Assert.False(buffer.TryGet(1, out _));
    }

    [Fact]
    public void Storing_and_fetching_allocate_nothing()
    {
        var buffer = new RetransmissionBuffer();
        byte[] packet = new byte[1200];

        Assert.Equal(0, Allocations.Measure(i =>
        {
            buffer.Store((ushort)i, packet);
            buffer.TryGet((ushort)i, out _);
        }));
    }
}
