using System.Buffers.Binary;

namespace Sfu.Bots;

/// <summary>
/// Writes the fixed RTP header (RFC 3550 §5.1), optionally followed by a one-byte-header
/// extension block (RFC 8285 §4.2) holding a single abs-send-time element.
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
}
