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

    [Fact]
    public void Pages_are_allocated_as_packets_reach_them()
    {
        var budget = new RetransmissionBudget(0);
        var buffer = new RetransmissionBuffer(RetransmissionBuffer.DefaultCapacity, budget);
        Assert.Equal(0, buffer.AllocatedBytes);

        buffer.Store(0, [1]);
        Assert.Equal(RetransmissionBuffer.PageBytes, buffer.AllocatedBytes);
        buffer.Store(RetransmissionBuffer.SlotsPerPage - 1, [2]); // the same page
        Assert.Equal(RetransmissionBuffer.PageBytes, buffer.AllocatedBytes);
        buffer.Store(RetransmissionBuffer.SlotsPerPage, [3]); // the next one
        Assert.Equal(2 * RetransmissionBuffer.PageBytes, buffer.AllocatedBytes);
        Assert.Equal(2 * RetransmissionBuffer.PageBytes, budget.Used);

        for (int i = 0; i < RetransmissionBuffer.DefaultCapacity; i++)
        {
            buffer.Store((ushort)i, [4]);
        }

        Assert.Equal(RetransmissionBuffer.DefaultCapacity * RetransmissionBuffer.SlotSize, buffer.AllocatedBytes);
    }

    [Fact]
    public void A_spent_budget_leaves_new_pages_empty_and_a_release_gives_the_pages_back()
    {
        var budget = new RetransmissionBudget(3 * RetransmissionBuffer.PageBytes);
        var first = new RetransmissionBuffer(RetransmissionBuffer.DefaultCapacity, budget);
        var second = new RetransmissionBuffer(RetransmissionBuffer.DefaultCapacity, budget);
        for (int i = 0; i < 2 * RetransmissionBuffer.SlotsPerPage; i++)
        {
            first.Store((ushort)i, [1]);
            second.Store((ushort)i, [2]);
        }

        // Three pages in all: the first buffer got two, the second one.
        Assert.Equal(3 * RetransmissionBuffer.PageBytes, budget.Used);
        Assert.True(first.TryGet(RetransmissionBuffer.SlotsPerPage, out _));
        Assert.True(second.TryGet(0, out ReadOnlySpan<byte> kept));
        Assert.Equal(2, kept[0]);
        Assert.False(second.TryGet(RetransmissionBuffer.SlotsPerPage, out _));

        first.Release();
        Assert.Equal(RetransmissionBuffer.PageBytes, budget.Used);
        first.Store(3 * RetransmissionBuffer.SlotsPerPage, [1]); // released: takes nothing more
        Assert.Equal(RetransmissionBuffer.PageBytes, budget.Used);

        second.Store(RetransmissionBuffer.SlotsPerPage, [5]);
        Assert.True(second.TryGet(RetransmissionBuffer.SlotsPerPage, out ReadOnlySpan<byte> now));
        Assert.Equal(5, now[0]);
        Assert.Equal(2 * RetransmissionBuffer.PageBytes, budget.Used);
    }
}
