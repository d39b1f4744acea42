using System.Buffers.Binary;

namespace Sfu.Core.Rtp;

/// <summary>
/// In-place edits of the fixed RTP header (RFC 3550 §5.1) of a packet already validated by
/// <see cref="RtpPacket.TryParse"/>, used when re-stamping forwarded packets.
/// </summary>
public static class RtpHeader
{
    /// <summary>Writes the 16-bit sequence number (bytes 2..3).</summary>
    public static void SetSequenceNumber(Span<byte> packet, ushort sequenceNumber)
        => BinaryPrimitives.WriteUInt16BigEndian(packet[2..], sequenceNumber);

    /// <summary>Writes the 32-bit timestamp (bytes 4..7).</summary>
    public static void SetTimestamp(Span<byte> packet, uint timestamp)
        => BinaryPrimitives.WriteUInt32BigEndian(packet[4..], timestamp);

    /// <summary>Writes the SSRC (bytes 8..11).</summary>
    public static void SetSsrc(Span<byte> packet, uint ssrc)
        => BinaryPrimitives.WriteUInt32BigEndian(packet[8..], ssrc);

    /// <summary>Writes the 7-bit payload type, keeping the marker bit that shares its byte.</summary>
    public static void SetPayloadType(Span<byte> packet, byte payloadType)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)127);
        packet[1] = (byte)((packet[1] & 0x80) | payloadType);
    }

    /// <summary>Sets or clears the marker bit, keeping the payload type.</summary>
    public static void SetMarker(Span<byte> packet, bool marker)
        => packet[1] = marker ? (byte)(packet[1] | 0x80) : (byte)(packet[1] & 0x7F);
}
