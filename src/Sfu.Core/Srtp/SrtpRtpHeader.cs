using System.Buffers.Binary;

namespace Sfu.Core.Srtp;

/// <summary>
/// Finds where the RTP header ends, which is where SRTP encryption starts (RFC 3711 §3.1:
/// the header, CSRC list and header extension are authenticated but not encrypted).
/// </summary>
/// <remarks>
/// RFC 3550 §5.1 and §5.3.1:
/// <code>
///    0                   1                   2                   3
///    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
///   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///   |                           timestamp                           |
///   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///   |                             SSRC                              |
///   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
///   |                 CSRC list (CC x 32 bits)                      |
///   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///   |   defined by profile (X=1)    |     length (32-bit words)     |
///   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///   |                      header extension ...                     |
/// </code>
/// </remarks>
internal static class SrtpRtpHeader
{
    public const int FixedLength = 12;

    /// <summary>Header length (fixed part, CSRCs and extension), or why there is none.</summary>
    public static SrtpResult TryGetLength(ReadOnlySpan<byte> packet, out int headerLength)
    {
        headerLength = 0;
        if (packet.Length < FixedLength)
        {
            return SrtpResult.TooShort;
        }

        byte first = packet[0];
        if (first >> 6 != 2)
        {
            return SrtpResult.Malformed;
        }

        int length = FixedLength + (4 * (first & 0x0F));
        if ((first & 0x10) != 0)
        {
            if (packet.Length < length + 4)
            {
                return SrtpResult.TooShort;
            }

            length += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]));
        }

        if (packet.Length < length)
        {
            return SrtpResult.TooShort;
        }

        headerLength = length;
        return SrtpResult.Ok;
    }
}
