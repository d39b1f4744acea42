namespace Sfu.Core.Streams;

/// <summary>
/// The last packets of one inbound stream, kept so a subscriber's NACK (RFC 4585 §6.2.1)
/// can be answered from the server instead of travelling back to the publisher. Storing is a
/// copy into the slot of sequence number mod capacity. Slots live in pages allocated as
/// packets reach them, each taken from the server's <see cref="RetransmissionBudget"/>: a
/// track that sends a few packets costs a page, not the whole ring, and when the budget is
/// spent a page that does not exist yet stays empty (its packets are simply not repairable).
/// Media path only (one thread at a time: its room's media gate), except <see cref="Release"/>.
/// </summary>
public sealed class RetransmissionBuffer
{
    public const int DefaultCapacity = 512;
    public const int SlotSize = 1500;

    /// <summary>Slots per page: 32 × 1500 B = 48 KB, so a full ring is 16 pages.</summary>
    public const int SlotsPerPage = 32;

    public const int PageBytes = SlotsPerPage * SlotSize;

    private readonly byte[]?[] _pages;
    private readonly int[] _lengths;
    private readonly ushort[] _sequenceNumbers;
    private readonly int _capacity;
    private readonly RetransmissionBudget _budget;
    private long _taken;
    private volatile bool _released;

    public RetransmissionBuffer(int capacity = DefaultCapacity, RetransmissionBudget? budget = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _budget = budget ?? RetransmissionBudget.Unlimited;
        _pages = new byte[]?[(capacity + SlotsPerPage - 1) / SlotsPerPage];
        _lengths = new int[capacity];
        _sequenceNumbers = new ushort[capacity];
    }

    /// <summary>Bytes of pages this buffer holds now.</summary>
    public long AllocatedBytes => Volatile.Read(ref _taken);

    public void Store(ushort sequenceNumber, ReadOnlySpan<byte> packet)
    {
        int slot = sequenceNumber % _capacity;
        _lengths[slot] = 0;
        if (packet.Length > SlotSize || PageFor(slot) is not byte[] page)
        {
            return;
        }

        packet.CopyTo(page.AsSpan(slot % SlotsPerPage * SlotSize, SlotSize));
        _lengths[slot] = packet.Length;
        _sequenceNumbers[slot] = sequenceNumber;
    }

    /// <summary>The stored packet with this sequence number, if it has not been overwritten.</summary>
    public bool TryGet(ushort sequenceNumber, out ReadOnlySpan<byte> packet)
    {
        int slot = sequenceNumber % _capacity;
        int length = _lengths[slot];
        if (length == 0 || _sequenceNumbers[slot] != sequenceNumber || _pages[slot / SlotsPerPage] is not byte[] page)
        {
            packet = default;
            return false;
        }

        packet = page.AsSpan(slot % SlotsPerPage * SlotSize, length);
        return true;
    }

    /// <summary>
    /// The track ended: its pages go back to the budget and nothing is stored any more. Any
    /// thread; a store racing it gives back what it took too.
    /// </summary>
    public void Release()
    {
        _released = true;
        GiveBack();
    }

    private byte[]? PageFor(int slot)
    {
        int index = slot / SlotsPerPage;
        byte[]? page = _pages[index];
        if (page is not null || _released)
        {
            return page;
        }

        if (!_budget.TryTake(PageBytes))
        {
            return null;
        }

        Interlocked.Add(ref _taken, PageBytes);
        page = GC.AllocateUninitializedArray<byte>(PageBytes);
        _pages[index] = page;
        if (_released)
        {
            // Release ran between the check and the take: what was just taken goes back too.
            GiveBack();
        }

        return page;
    }

    private void GiveBack()
    {
        long taken = Interlocked.Exchange(ref _taken, 0);
        if (taken > 0)
        {
            _budget.Return(taken);
        }
    }
}
