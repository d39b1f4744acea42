namespace Sfu.Core.Streams;

/// <summary>
/// The last packets of one inbound stream, kept so a subscriber's NACK (RFC 4585 §6.2.1)
/// can be answered from the server instead of travelling back to the publisher. One
/// contiguous block allocated at setup; storing is a copy into the slot of
/// sequence number mod capacity. Receive loop only.
/// </summary>
public sealed class RetransmissionBuffer
{
    public const int DefaultCapacity = 512;
    public const int SlotSize = 1500;

    private readonly byte[] _slots;
    private readonly int[] _lengths;
    private readonly ushort[] _sequenceNumbers;
    private readonly int _capacity;

    public RetransmissionBuffer(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _slots = new byte[capacity * SlotSize];
        _lengths = new int[capacity];
        _sequenceNumbers = new ushort[capacity];
    }

    public void Store(ushort sequenceNumber, ReadOnlySpan<byte> packet)
    {
        int slot = sequenceNumber % _capacity;
        if (packet.Length > SlotSize)
        {
            _lengths[slot] = 0;
            return;
        }

        packet.CopyTo(_slots.AsSpan(slot * SlotSize, SlotSize));
        _lengths[slot] = packet.Length;
        _sequenceNumbers[slot] = sequenceNumber;
    }

    /// <summary>The stored packet with this sequence number, if it has not been overwritten.</summary>
    public bool TryGet(ushort sequenceNumber, out ReadOnlySpan<byte> packet)
    {
        int slot = sequenceNumber % _capacity;
        int length = _lengths[slot];
        if (length == 0 || _sequenceNumbers[slot] != sequenceNumber)
        {
            packet = default;
            return false;
        }

        packet = _slots.AsSpan(slot * SlotSize, length);
        return true;
    }
}
