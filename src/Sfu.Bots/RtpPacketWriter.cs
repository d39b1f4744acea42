using System.Buffers.Binary;

namespace Sfu.Bots;

/// <summary>
/// Writes the fixed RTP header (RFC 3550 §5.1), optionally followed by a one-byte-header
/// extension block (RFC 8285 §4.2) holding a single abs-send-time element, or the mid and rid
/// elements that name a simulcast stream (RFC 8852 §3.1, RFC 8843 §15.2).
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           timestamp                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                             SSRC                              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      0xBE     |      0xDE     |           length=1            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  ID   | L=2   |          abs-send-time (24 bits)              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
internal static class RtpPacketWriter
{
    public const int FixedHeaderLength = 12;
    public const int AbsSendTimeBlockLength = 8;
    public const int MaxHeaderLength = FixedHeaderLength + AbsSendTimeBlockLength;

    /// <param name="absSendTimeId">Negotiated extension id (1..14), or 0 to write no extension.</param>
    /// <returns>The header length; the payload starts there.</returns>
    public static int WriteHeader(
        Span<byte> destination,
        byte payloadType,
        bool marker,
        ushort sequenceNumber,
        uint timestamp,
        uint ssrc,
        int absSendTimeId,
        uint absSendTime)
    {
        bool extension = absSendTimeId is >= 1 and <= 14;
        destination[0] = (byte)(0x80 | (extension ? 0x10 : 0));
        destination[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        if (!extension)
        {
            return FixedHeaderLength;
        }

        // RFC 8285 §4.2: profile 0xBEDE, length in 32-bit words; element header is ID then (length - 1).
        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], 0xBEDE);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], 1);
        destination[16] = (byte)((absSendTimeId << 4) | (AbsSendTime.Length - 1));
        AbsSendTime.Write(destination[17..], absSendTime);
        return MaxHeaderLength;
    }

    /// <summary>
    /// Writes the fixed header and a one-byte-header block with the elements whose id is in
    /// 1..14: the mid, then the rid. Each value is 1 to 16 bytes (the one-byte form's limit);
    /// the block is padded with zero bytes to a 32-bit boundary (RFC 8285 §4.2).
    /// </summary>
    /// <returns>The header length; the payload starts there.</returns>
    public static int WriteHeader(
        Span<byte> destination,
        byte payloadType,
        bool marker,
        ushort sequenceNumber,
        uint timestamp,
        uint ssrc,
        int midId,
        ReadOnlySpan<byte> mid,
        int ridId,
        ReadOnlySpan<byte> rid)
    {
        bool writeMid = IsElement(midId, mid);
        bool writeRid = IsElement(ridId, rid);
        int length = WriteHeader(destination, payloadType, marker, sequenceNumber, timestamp, ssrc, 0, 0);
        if (!writeMid && !writeRid)
        {
            return length;
        }

        destination[0] |= 0x10;
        int offset = FixedHeaderLength + 4;
        if (writeMid)
        {
            offset = WriteElement(destination, offset, midId, mid);
        }

        if (writeRid)
        {
            offset = WriteElement(destination, offset, ridId, rid);
        }

        int words = (offset - FixedHeaderLength - 4 + 3) / 4;
        int end = FixedHeaderLength + 4 + (words * 4);
        destination[offset..end].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(destination[FixedHeaderLength..], 0xBEDE);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(FixedHeaderLength + 2)..], (ushort)words);
        return end;
    }

    private static bool IsElement(int id, ReadOnlySpan<byte> value) => id is >= 1 and <= 14 && value.Length is >= 1 and <= 16;

    private static int WriteElement(Span<byte> destination, int offset, int id, ReadOnlySpan<byte> value)
    {
        destination[offset] = (byte)((id << 4) | (value.Length - 1));
        value.CopyTo(destination[(offset + 1)..]);
        return offset + 1 + value.Length;
    }
}
