using System.Buffers.Binary;

namespace Sfu.Core.Rtp;

/// <summary>
/// The RTP retransmission payload format (RFC 4588 §4): a retransmitted packet travels on its
/// own SSRC and payload type, its payload led by the original sequence number (OSN). The
/// publisher sends these when we NACK a lost packet, and also as padding-only probes for its
/// bandwidth estimate. Between the nodes of a cluster, the node a track comes from answers the
/// other node's NACKs in this form too (<see cref="TryWrap"/>).
/// </summary>
public static class RtxPacket
{
    private const int OriginalSequenceNumberLength = 2;

    /// <summary>
    /// Writes the original packet into <paramref name="destination"/>: the RTX packet's header
    /// (marker, timestamp, CSRCs and header extensions kept) with the media SSRC, payload type and
    /// the OSN, then the payload after the OSN, without padding. Returns its length; 0 for a
    /// packet with nothing to restore (a probe: padding or an OSN alone); -1 when the payload is
    /// too short to hold an OSN or the result does not fit.
    /// </summary>
    public static int TryRestore(in RtpPacket rtx, uint mediaSsrc, byte mediaPayloadType, Span<byte> destination)
    {
        ReadOnlySpan<byte> payload = rtx.Payload;
        if (payload.Length < OriginalSequenceNumberLength)
        {
            return payload.IsEmpty ? 0 : -1;
        }

        ReadOnlySpan<byte> original = payload[OriginalSequenceNumberLength..];
        if (original.IsEmpty)
        {
            return 0;
        }

        int length = rtx.HeaderLength + original.Length;
        if (destination.Length < length)
        {
            return -1;
        }

        rtx.Data[..rtx.HeaderLength].CopyTo(destination);
        original.CopyTo(destination[rtx.HeaderLength..]);
        destination[0] &= 0xDF; // no padding any more
        RtpHeader.SetSsrc(destination, mediaSsrc);
        RtpHeader.SetPayloadType(destination, mediaPayloadType);
        RtpHeader.SetSequenceNumber(destination, BinaryPrimitives.ReadUInt16BigEndian(payload));
        return length;
    }

    /// <summary>
    /// Writes <paramref name="original"/> as a retransmission into <paramref name="destination"/>
    /// (RFC 4588 §4): its header (marker, timestamp, CSRCs and header extensions kept) on
    /// <paramref name="rtxSsrc"/> with <paramref name="rtxPayloadType"/> and the retransmission
    /// stream's own <paramref name="rtxSequenceNumber"/>, then the original sequence number, then
    /// the original payload without padding. Returns its length; -1 when it does not fit.
    /// </summary>
    public static int TryWrap(in RtpPacket original, uint rtxSsrc, byte rtxPayloadType, ushort rtxSequenceNumber, Span<byte> destination)
    {
        ReadOnlySpan<byte> payload = original.Payload;
        int length = original.HeaderLength + OriginalSequenceNumberLength + payload.Length;
        if (destination.Length < length)
        {
            return -1;
        }

        original.Data[..original.HeaderLength].CopyTo(destination);
        destination[0] &= 0xDF; // the padding stays behind
        BinaryPrimitives.WriteUInt16BigEndian(destination[original.HeaderLength..], original.SequenceNumber);
        payload.CopyTo(destination[(original.HeaderLength + OriginalSequenceNumberLength)..]);
        RtpHeader.SetSsrc(destination, rtxSsrc);
        RtpHeader.SetPayloadType(destination, rtxPayloadType);
        RtpHeader.SetSequenceNumber(destination, rtxSequenceNumber);
        return length;
    }
}
