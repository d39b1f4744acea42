using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Receiver report, PT 201 (RFC 3550 §6.4.2).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|    RC   |   PT=RR=201   |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     SSRC of packet sender                     |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                 report block 1 .. RC (24 bytes each)          |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                  profile-specific extensions                  |
/// </code>
/// </summary>
public readonly ref struct ReceiverReport
{
    /// <summary>Header and reporter SSRC: the size with no report blocks.</summary>
    public const int MinimumSize = 8;

    private readonly ReadOnlySpan<byte> _content;

    private ReceiverReport(RtcpHeader header, ReadOnlySpan<byte> content)
    {
        Header = header;
        _content = content;
    }

    /// <summary>The common header.</summary>
    public RtcpHeader Header { get; }

    /// <summary>SSRC of the reporting receiver.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_content[4..]);

    /// <summary>Number of report blocks (RC).</summary>
    public int ReportCount => Header.Count;

    /// <summary>Bytes after the report blocks (profile-specific extensions), usually empty.</summary>
    public ReadOnlySpan<byte> ProfileExtension => _content[(MinimumSize + (ReportCount * ReportBlock.Size))..];

    /// <summary>Reads report block <paramref name="index"/> (0 ≤ index &lt; <see cref="ReportCount"/>).</summary>
    public ReportBlock GetReportBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ReportCount);
        return ReportBlock.Read(_content[(MinimumSize + (index * ReportBlock.Size))..]);
    }

    /// <summary>Reads an RR from the start of <paramref name="packet"/>; false when malformed or another type.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out ReceiverReport report)
    {
        report = default;
        if (!RtcpHeader.TryParseContent(packet, RtcpPacketType.ReceiverReport, MinimumSize, out RtcpHeader header, out ReadOnlySpan<byte> content)
            || content.Length < MinimumSize + (header.Count * ReportBlock.Size))
        {
            return false;
        }

        report = new ReceiverReport(header, content);
        return true;
    }

    /// <summary>Bytes <see cref="TryWrite"/> needs for <paramref name="blockCount"/> blocks.</summary>
    public static int GetSize(int blockCount) => MinimumSize + (blockCount * ReportBlock.Size);

    /// <summary>
    /// Writes an RR with up to 31 report blocks (an empty RR is valid, §6.4.2); returns the
    /// bytes written, or -1 when <paramref name="destination"/> is too small.
    /// </summary>
    public static int TryWrite(Span<byte> destination, uint ssrc, ReadOnlySpan<ReportBlock> blocks)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blocks.Length, 31);
        int size = GetSize(blocks.Length);
        if (destination.Length < size)
        {
            return -1;
        }

        RtcpHeader.Write(destination, blocks.Length, RtcpPacketType.ReceiverReport, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i].TryWrite(destination[(MinimumSize + (i * ReportBlock.Size))..]);
        }

        return size;
    }
}
