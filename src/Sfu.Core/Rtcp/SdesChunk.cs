using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// One SDES chunk (RFC 3550 §6.5): an SSRC/CSRC followed by items, each
/// <c>type(8) length(8) text(length)</c>, ended by a zero type byte.
/// </summary>
public readonly ref struct SdesChunk
{
    private readonly ReadOnlySpan<byte> _items;

    internal SdesChunk(uint ssrc, ReadOnlySpan<byte> items)
    {
        Ssrc = ssrc;
        _items = items;
    }

    /// <summary>The source the items describe.</summary>
    public uint Ssrc { get; }

    /// <summary>The CNAME item text (UTF-8), or empty when the chunk has none.</summary>
    public ReadOnlySpan<byte> Cname => TryGetItem(SdesItemType.Cname, out ReadOnlySpan<byte> value) ? value : default;

    /// <summary>Finds the first item of <paramref name="type"/>.</summary>
    public bool TryGetItem(SdesItemType type, out ReadOnlySpan<byte> value)
    {
        // The item list was validated when the chunk was found, so this walk stays in bounds.
        int offset = 0;
        while (offset + 2 <= _items.Length)
        {
            byte itemType = _items[offset];
            int length = _items[offset + 1];
            if (itemType == (byte)type)
            {
                value = _items.Slice(offset + 2, length);
                return true;
            }

            offset += 2 + length;
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Measures the chunk starting at <paramref name="offset"/> (which is 32-bit aligned):
    /// returns its padded size and the item-list span, or -1 when the items overrun.
    /// </summary>
    internal static int Measure(ReadOnlySpan<byte> content, int offset, out uint ssrc, out ReadOnlySpan<byte> items)
    {
        ssrc = 0;
        items = default;
        if (offset + 4 > content.Length)
        {
            return -1;
        }

        ssrc = BinaryPrimitives.ReadUInt32BigEndian(content[offset..]);
        int itemsStart = offset + 4;
        int position = itemsStart;
        while (true)
        {
            if (position >= content.Length)
            {
                return -1;
            }

            if (content[position] == (byte)SdesItemType.End)
            {
                break;
            }

            if (position + 2 > content.Length)
            {
                return -1;
            }

            position += 2 + content[position + 1];
        }

        items = content[itemsStart..position];

        // §6.5: the null item is followed by null octets up to the next 32-bit boundary.
        int end = (position + 1 + 3) & ~3;
        if (end > content.Length)
        {
            return -1;
        }

        return end - offset;
    }
}
