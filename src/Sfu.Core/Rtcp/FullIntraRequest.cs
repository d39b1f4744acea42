using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Full intra request, PSFB (PT 206) FMT 4 (RFC 5104 §4.3.1). The media source field of the
/// common header is unused and 0 (§4.3.1.2); the targets are in the FCI entries.
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| FMT=4   |    PT=206     |          length               |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source (0)                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   FCI: n entries of [SSRC(32) | Seq nr.(8) | Reserved(24)]    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly ref struct FullIntraRequest
{
    /// <summary>The FMT value of a FIR.</summary>
    public const int Format = 4;

    private readonly ReadOnlySpan<byte> _content;

    private FullIntraRequest(ReadOnlySpan<byte> content) => _content = content;

    /// <summary>Who asks for the refresh.</summary>
    public uint SenderSsrc => BinaryPrimitives.ReadUInt32BigEndian(_content[4..]);

    /// <summary>The header's media source field (should be 0).</summary>
    public uint MediaSsrc => BinaryPrimitives.ReadUInt32BigEndian(_content[8..]);

    /// <summary>Number of FCI entries (at least one).</summary>
    public int EntryCount => (_content.Length - RtcpFeedback.MinimumSize) / FirEntry.Size;

    /// <summary>Reads FCI entry <paramref name="index"/>.</summary>
    public FirEntry GetEntry(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, EntryCount);
        return FirEntry.Read(_content[(RtcpFeedback.MinimumSize + (index * FirEntry.Size))..]);
    }

    /// <summary>Reads a FIR; it must hold a whole number of entries, at least one (§4.3.1.1).</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out FullIntraRequest fir)
    {
        fir = default;
        if (!RtcpHeader.TryParseContent(packet, RtcpPacketType.PayloadFeedback, RtcpFeedback.MinimumSize + FirEntry.Size, out RtcpHeader header, out ReadOnlySpan<byte> content)
            || header.Format != Format
            || (content.Length - RtcpFeedback.MinimumSize) % FirEntry.Size != 0)
        {
            return false;
        }

        fir = new FullIntraRequest(content);
        return true;
    }

    /// <summary>Bytes <see cref="TryWrite"/> needs.</summary>
    public static int GetSize(int entryCount) => RtcpFeedback.MinimumSize + (entryCount * FirEntry.Size);

    /// <summary>
    /// Writes a FIR with the given entries (at least one); returns the bytes written, or -1
    /// when <paramref name="destination"/> is too small.
    /// </summary>
    public static int TryWrite(Span<byte> destination, uint senderSsrc, ReadOnlySpan<FirEntry> entries)
    {
        ArgumentOutOfRangeException.ThrowIfZero(entries.Length);
        int size = GetSize(entries.Length);
        if (size > 4 * (ushort.MaxValue + 1))
        {
            return -1;
        }

        if (destination.Length < size)
        {
            return -1;
        }

        RtcpFeedback.WriteCommon(destination, Format, RtcpPacketType.PayloadFeedback, size, senderSsrc, 0);
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i].Write(destination[(RtcpFeedback.MinimumSize + (i * FirEntry.Size))..]);
        }

        return size;
    }
}
