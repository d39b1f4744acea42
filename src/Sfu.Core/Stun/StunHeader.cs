using System.Buffers.Binary;

namespace Sfu.Core.Stun;

/// <summary>
/// Layout constants and the message-type bit interleaving of the STUN header (RFC 8489 §5).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |0 0|     STUN Message Type     |         Message Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Magic Cookie                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     Transaction ID (96 bits)                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Message type:  M11..M7 | C1 | M6..M4 | C0 | M3..M0   (14 bits)
/// </code>
/// </summary>
internal static class StunHeader
{
    /// <summary>Fixed header size (RFC 8489 §5).</summary>
    public const int Length = 20;

    /// <summary>Size of an attribute's type + length prefix (RFC 8489 §14).</summary>
    public const int AttributeHeaderLength = 4;

    /// <summary>0x2112A442, distinguishes RFC 5389/8489 STUN from RFC 3489 and other protocols (RFC 8489 §5).</summary>
    public const uint MagicCookie = 0x2112A442;

    /// <summary>Offset and length of the 96-bit transaction ID (RFC 8489 §5).</summary>
    public const int TransactionIdOffset = 8;

    /// <inheritdoc cref="TransactionIdOffset"/>
    public const int TransactionIdLength = 12;

    /// <summary>Encodes method and class into the 14-bit type by interleaving the class bits (RFC 8489 §5).</summary>
    public static ushort EncodeType(StunMethod method, StunClass messageClass)
    {
        int m = (ushort)method & 0x0FFF;
        int c = (byte)messageClass & 0x3;
        return (ushort)((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 0x1) << 4) | ((c & 0x2) << 7));
    }

    /// <summary>Extracts the 12 method bits from a message type (RFC 8489 §5).</summary>
    public static StunMethod DecodeMethod(ushort type)
        => (StunMethod)((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));

    /// <summary>Extracts the two class bits from a message type (RFC 8489 §5).</summary>
    public static StunClass DecodeClass(ushort type)
        => (StunClass)(((type >> 4) & 0x1) | ((type >> 7) & 0x2));

    /// <summary>Attribute values are padded to a multiple of 4 bytes (RFC 8489 §14).</summary>
    public static int Padded(int valueLength) => (valueLength + 3) & ~3;

    /// <summary>True when the first two bits are zero and the magic cookie is in place (RFC 8489 §5, RFC 7983 §7).</summary>
    public static bool LooksLikeStun(ReadOnlySpan<byte> datagram)
        => datagram.Length >= Length
           && (datagram[0] & 0xC0) == 0
           && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == MagicCookie;
}
