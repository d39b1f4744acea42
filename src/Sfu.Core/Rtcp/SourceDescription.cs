using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Source description, PT 202 (RFC 3550 §6.5).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|    SC   |  PT=SDES=202  |             length            |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                          SSRC/CSRC_1                          |
/// |    CNAME=1    |     length    | user and domain name        ...
/// |  ... items ...  | 0 (end) | null padding to a 32-bit boundary |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                          SSRC/CSRC_2 ...                      |
/// </code>
/// </summary>
public readonly ref struct SourceDescription
{
    private readonly ReadOnlySpan<byte> _content;

    private SourceDescription(RtcpHeader header, ReadOnlySpan<byte> content)
    {
        Header = header;
        _content = content;
    }

    /// <summary>The common header.</summary>
    public RtcpHeader Header { get; }

    /// <summary>Number of chunks (SC).</summary>
    public int ChunkCount => Header.Count;

    /// <summary>Enumerates the chunks.</summary>
    public SdesChunkEnumerator Chunks => new(_content, ChunkCount);

    /// <summary>Lets the packet be used directly in <c>foreach</c> over its chunks.</summary>
    public SdesChunkEnumerator GetEnumerator() => Chunks;

    /// <summary>Reads an SDES packet, checking that all SC chunks and their items fit.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out SourceDescription description)
    {
        description = default;
        if (!RtcpHeader.TryParseContent(packet, RtcpPacketType.SourceDescription, RtcpHeader.Size, out RtcpHeader header, out ReadOnlySpan<byte> content))
        {
            return false;
        }

        int offset = RtcpHeader.Size;
        for (int i = 0; i < header.Count; i++)
        {
            int size = SdesChunk.Measure(content, offset, out _, out _);
            if (size < 0)
            {
                return false;
            }

            offset += size;
        }

        description = new SourceDescription(header, content);
        return true;
    }

    /// <summary>Bytes <see cref="TryWriteCname"/> needs for a CNAME of <paramref name="cnameLength"/> bytes.</summary>
    public static int GetCnameSize(int cnameLength)
        => RtcpHeader.Size + ((4 + 2 + cnameLength + 1 + 3) & ~3);

    /// <summary>
    /// Writes an SDES packet with one chunk holding a CNAME item (at most 255 bytes of UTF-8);
    /// returns the bytes written, or -1 when <paramref name="destination"/> is too small.
    /// </summary>
    public static int TryWriteCname(Span<byte> destination, uint ssrc, ReadOnlySpan<byte> cnameUtf8)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cnameUtf8.Length, 255);
        int size = GetCnameSize(cnameUtf8.Length);
        if (destination.Length < size)
        {
            return -1;
        }

        RtcpHeader.Write(destination, 1, RtcpPacketType.SourceDescription, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        destination[8] = (byte)SdesItemType.Cname;
        destination[9] = (byte)cnameUtf8.Length;
        cnameUtf8.CopyTo(destination[10..]);

        // End item plus null padding to the 32-bit boundary.
        destination[(10 + cnameUtf8.Length)..size].Clear();
        return size;
    }
}
