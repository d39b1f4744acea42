using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// The 4-byte header shared by every RTCP packet (RFC 3550 §6.4.1, RFC 4585 §6.1).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| RC/FMT  |      PT       |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// length is the packet size in 32-bit words minus one, header and padding included.
/// </summary>
public readonly struct RtcpHeader : IEquatable<RtcpHeader>
{
    /// <summary>Size of the common header.</summary>
    public const int Size = 4;

    private RtcpHeader(byte first, byte packetType, ushort lengthInWords, int paddingLength)
    {
        Padding = (first & 0x20) != 0;
        Count = (byte)(first & 0x1F);
        PacketType = (RtcpPacketType)packetType;
        LengthInWords = lengthInWords;
        PaddingLength = paddingLength;
    }

    /// <summary>P bit: the last byte of this packet counts padding bytes.</summary>
    public bool Padding { get; }

    /// <summary>The 5-bit RC/SC field (report/source count) of SR, RR, SDES and BYE.</summary>
    public byte Count { get; }

    /// <summary>The same 5 bits read as the feedback message type FMT (RFC 4585 §6.1).</summary>
    public byte Format => Count;

    /// <summary>The packet type byte.</summary>
    public RtcpPacketType PacketType { get; }

    /// <summary>The raw length field: size in 32-bit words minus one.</summary>
    public ushort LengthInWords { get; }

    /// <summary>Size of the whole packet in bytes, header and padding included.</summary>
    public int TotalSize => (LengthInWords + 1) * 4;

    /// <summary>Trailing padding bytes, count byte included; 0 when P is clear.</summary>
    public int PaddingLength { get; }

    /// <summary>Bytes from the start of the header up to the padding.</summary>
    public int ContentSize => TotalSize - PaddingLength;

    /// <summary>
    /// Reads the header at the start of <paramref name="data"/>, which must hold the whole
    /// packet (it may continue with more packets of a compound).
    /// </summary>
    public static RtcpParseResult TryParse(ReadOnlySpan<byte> data, out RtcpHeader header)
    {
        header = default;
        if (data.Length < Size)
        {
            return RtcpParseResult.TooShort;
        }

        byte first = data[0];
        if ((first >> 6) != 2)
        {
            return RtcpParseResult.BadVersion;
        }

        byte type = data[1];
        if (type is < 192 or > 223)
        {
            return RtcpParseResult.BadPacketType;
        }

        ushort words = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        int total = (words + 1) * 4;
        if (total > data.Length)
        {
            return RtcpParseResult.BadLength;
        }

        int padding = 0;
        if ((first & 0x20) != 0)
        {
            // The count includes itself, so it is at least 1, and it can't eat the header.
            padding = data[total - 1];
            if (padding == 0 || padding > total - Size)
            {
                return RtcpParseResult.BadPadding;
            }
        }

        header = new RtcpHeader(first, type, words, padding);
        return RtcpParseResult.Ok;
    }

    /// <summary>Writes a header without padding for a packet of <paramref name="totalSize"/> bytes (a multiple of 4).</summary>
    internal static void Write(Span<byte> destination, int count, RtcpPacketType type, int totalSize)
    {
        destination[0] = (byte)(0x80 | count);
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((totalSize / 4) - 1));
    }

    /// <summary>Parses a single packet of the given type; the span returned excludes padding.</summary>
    internal static bool TryParseContent(ReadOnlySpan<byte> data, RtcpPacketType type, int minimumSize, out RtcpHeader header, out ReadOnlySpan<byte> content)
    {
        content = default;
        if (TryParse(data, out header) != RtcpParseResult.Ok
            || header.PacketType != type
            || header.ContentSize < minimumSize)
        {
            return false;
        }

        content = data[..header.ContentSize];
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(RtcpHeader other)
        => Padding == other.Padding && Count == other.Count && PacketType == other.PacketType
            && LengthInWords == other.LengthInWords && PaddingLength == other.PaddingLength;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RtcpHeader other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Padding, Count, PacketType, LengthInWords, PaddingLength);

    /// <summary>Value equality.</summary>
    public static bool operator ==(RtcpHeader left, RtcpHeader right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(RtcpHeader left, RtcpHeader right) => !left.Equals(right);
}
