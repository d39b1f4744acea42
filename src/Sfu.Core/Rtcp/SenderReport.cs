using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Sender report, PT 200 (RFC 3550 §6.4.1).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|    RC   |   PT=SR=200   |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         SSRC of sender                        |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |              NTP timestamp, most significant word             |
/// |             NTP timestamp, least significant word             |
/// |                         RTP timestamp                         |
/// |                     sender's packet count                     |
/// |                      sender's octet count                     |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                 report block 1 .. RC (24 bytes each)          |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                  profile-specific extensions                  |
/// </code>
/// </summary>
public readonly ref struct SenderReport
{
    /// <summary>Header, sender SSRC and sender info: the size with no report blocks.</summary>
    public const int MinimumSize = 28;

    private readonly ReadOnlySpan<byte> _content;

    private SenderReport(RtcpHeader header, ReadOnlySpan<byte> content)
    {
        Header = header;
        _content = content;
    }

    /// <summary>The common header.</summary>
    public RtcpHeader Header { get; }

    /// <summary>SSRC of the sender.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_content[4..]);

    /// <summary>64-bit NTP wallclock timestamp (32.32 fixed point seconds since 1900).</summary>
    public ulong NtpTimestamp => BinaryPrimitives.ReadUInt64BigEndian(_content[8..]);

    /// <summary>
    /// Middle 32 bits of <see cref="NtpTimestamp"/>: what receivers echo as LSR in their
    /// report blocks (§6.4.1).
    /// </summary>
    public uint CompactNtpTimestamp => (uint)(NtpTimestamp >> 16);

    /// <summary>RTP timestamp matching the NTP timestamp.</summary>
    public uint RtpTimestamp => BinaryPrimitives.ReadUInt32BigEndian(_content[16..]);

    /// <summary>RTP data packets sent since the start of transmission.</summary>
    public uint PacketCount => BinaryPrimitives.ReadUInt32BigEndian(_content[20..]);

    /// <summary>RTP payload octets sent since the start of transmission.</summary>
    public uint OctetCount => BinaryPrimitives.ReadUInt32BigEndian(_content[24..]);

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

    /// <summary>Reads an SR from the start of <paramref name="packet"/>; false when malformed or another type.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out SenderReport report)
    {
        report = default;
        if (!RtcpHeader.TryParseContent(packet, RtcpPacketType.SenderReport, MinimumSize, out RtcpHeader header, out ReadOnlySpan<byte> content)
            || content.Length < MinimumSize + (header.Count * ReportBlock.Size))
        {
            return false;
        }

        report = new SenderReport(header, content);
        return true;
    }

    /// <summary>Bytes <see cref="TryWrite"/> needs for <paramref name="blockCount"/> blocks.</summary>
    public static int GetSize(int blockCount) => MinimumSize + (blockCount * ReportBlock.Size);

    /// <summary>
    /// Writes an SR with up to 31 report blocks; returns the bytes written, or -1 when
    /// <paramref name="destination"/> is too small.
    /// </summary>
    public static int TryWrite(
        Span<byte> destination,
        uint ssrc,
        ulong ntpTimestamp,
        uint rtpTimestamp,
        uint packetCount,
        uint octetCount,
        ReadOnlySpan<ReportBlock> blocks)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blocks.Length, 31);
        int size = GetSize(blocks.Length);
        if (destination.Length < size)
        {
            return -1;
        }

        RtcpHeader.Write(destination, blocks.Length, RtcpPacketType.SenderReport, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], ntpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], packetCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], octetCount);
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i].TryWrite(destination[(MinimumSize + (i * ReportBlock.Size))..]);
        }

        return size;
    }
}
