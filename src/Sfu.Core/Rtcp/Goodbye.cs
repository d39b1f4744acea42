using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Goodbye, PT 203 (RFC 3550 §6.6).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|    SC   |   PT=BYE=203  |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           SSRC/CSRC                           |
/// :                              ...                              :
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     length    |               reason for leaving            ... (opt)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly ref struct Goodbye
{
    private readonly ReadOnlySpan<byte> _content;

    private Goodbye(RtcpHeader header, ReadOnlySpan<byte> content, ReadOnlySpan<byte> reason, bool hasReason)
    {
        Header = header;
        _content = content;
        Reason = reason;
        HasReason = hasReason;
    }

    /// <summary>The common header.</summary>
    public RtcpHeader Header { get; }

    /// <summary>Number of sources leaving (SC).</summary>
    public int SourceCount => Header.Count;

    /// <summary>Whether the optional reason is present.</summary>
    public bool HasReason { get; }

    /// <summary>The reason text (UTF-8), empty when absent.</summary>
    public ReadOnlySpan<byte> Reason { get; }

    /// <summary>Reads SSRC/CSRC <paramref name="index"/> (0 ≤ index &lt; <see cref="SourceCount"/>).</summary>
    public uint GetSsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SourceCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_content[(RtcpHeader.Size + (4 * index))..]);
    }

    /// <summary>Reads a BYE, checking the source list and the optional reason fit.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out Goodbye goodbye)
    {
        goodbye = default;
        if (!RtcpHeader.TryParseContent(packet, RtcpPacketType.Goodbye, RtcpHeader.Size, out RtcpHeader header, out ReadOnlySpan<byte> content))
        {
            return false;
        }

        int reasonOffset = RtcpHeader.Size + (4 * header.Count);
        if (reasonOffset > content.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> reason = default;
        bool hasReason = reasonOffset < content.Length;
        if (hasReason)
        {
            int length = content[reasonOffset];
            if (reasonOffset + 1 + length > content.Length)
            {
                return false;
            }

            reason = content.Slice(reasonOffset + 1, length);
        }

        goodbye = new Goodbye(header, content, reason, hasReason);
        return true;
    }

    /// <summary>Bytes <see cref="TryWrite"/> needs.</summary>
    public static int GetSize(int sourceCount, int reasonLength)
        => RtcpHeader.Size + (4 * sourceCount) + (reasonLength == 0 ? 0 : (1 + reasonLength + 3) & ~3);

    /// <summary>
    /// Writes a BYE for up to 31 sources with an optional reason (at most 255 bytes; empty
    /// means none); returns the bytes written, or -1 when <paramref name="destination"/> is too small.
    /// </summary>
    public static int TryWrite(Span<byte> destination, ReadOnlySpan<uint> ssrcs, ReadOnlySpan<byte> reasonUtf8)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ssrcs.Length, 31);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reasonUtf8.Length, 255);
        int size = GetSize(ssrcs.Length, reasonUtf8.Length);
        if (destination.Length < size)
        {
            return -1;
        }

        RtcpHeader.Write(destination, ssrcs.Length, RtcpPacketType.Goodbye, size);
        int offset = RtcpHeader.Size;
        foreach (uint ssrc in ssrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], ssrc);
            offset += 4;
        }

        if (!reasonUtf8.IsEmpty)
        {
            destination[offset++] = (byte)reasonUtf8.Length;
            reasonUtf8.CopyTo(destination[offset..]);
            offset += reasonUtf8.Length;

            // §6.6: pad the reason with null octets to the 32-bit boundary.
            destination[offset..size].Clear();
        }

        return size;
    }
}
