using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// The common feedback message format (RFC 4585 §6.1), recognition by PT/FMT, and in-place
/// re-addressing of feedback when the SFU forwards it from a subscriber to a publisher.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|   FMT   |       PT      |          length               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of packet sender                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of media source                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// :            Feedback Control Information (FCI)                 :
/// </code>
/// </summary>
public static class RtcpFeedback
{
    /// <summary>Header plus both SSRCs: the smallest feedback message.</summary>
    public const int MinimumSize = 12;

    /// <summary>"REMB" in ASCII, the unique identifier of the REMB message.</summary>
    internal const uint RembIdentifier = 0x52454D42;

    /// <summary>
    /// Recognizes a feedback packet at the start of <paramref name="packet"/> so the caller can
    /// dispatch it or skip it (e.g. transport-wide CC feedback the SFU does not consume).
    /// </summary>
    public static RtcpFeedbackKind Classify(ReadOnlySpan<byte> packet)
    {
        if (RtcpHeader.TryParse(packet, out RtcpHeader header) != RtcpParseResult.Ok
            || header.ContentSize < MinimumSize)
        {
            return RtcpFeedbackKind.NotFeedback;
        }

        if (header.PacketType == RtcpPacketType.TransportFeedback)
        {
            return header.Format switch
            {
                1 => RtcpFeedbackKind.GenericNack,
                3 => RtcpFeedbackKind.TemporaryMaxBitrateRequest,
                4 => RtcpFeedbackKind.TemporaryMaxBitrateNotification,
                15 => RtcpFeedbackKind.TransportWideCc,
                _ => RtcpFeedbackKind.OtherTransport,
            };
        }

        if (header.PacketType == RtcpPacketType.PayloadFeedback)
        {
            return header.Format switch
            {
                1 => RtcpFeedbackKind.PictureLossIndication,
                2 => RtcpFeedbackKind.SliceLossIndication,
                3 => RtcpFeedbackKind.ReferencePictureSelection,
                4 => RtcpFeedbackKind.FullIntraRequest,
                15 => header.ContentSize >= MinimumSize + 4
                        && BinaryPrimitives.ReadUInt32BigEndian(packet[MinimumSize..]) == RembIdentifier
                    ? RtcpFeedbackKind.ReceiverEstimatedMaxBitrate
                    : RtcpFeedbackKind.OtherApplicationLayer,
                _ => RtcpFeedbackKind.OtherPayloadSpecific,
            };
        }

        return RtcpFeedbackKind.NotFeedback;
    }

    /// <summary>True for transport-wide CC feedback (RTPFB FMT 15), which the SFU can skip.</summary>
    public static bool IsTransportWideCc(ReadOnlySpan<byte> packet)
        => Classify(packet) == RtcpFeedbackKind.TransportWideCc;

    /// <summary>Rewrites "SSRC of packet sender"; false when <paramref name="packet"/> is not a feedback message.</summary>
    public static bool SetSenderSsrc(Span<byte> packet, uint ssrc)
    {
        if (Classify(packet) == RtcpFeedbackKind.NotFeedback)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], ssrc);
        return true;
    }

    /// <summary>
    /// Points feedback at another media source. For a FIR the header field stays 0 as RFC 5104
    /// §4.3.1.2 requires, and the SSRC of every FCI entry is rewritten instead. A REMB names
    /// its sources in its own list and is left untouched (returns false), as is non-feedback.
    /// </summary>
    public static bool SetMediaSsrc(Span<byte> packet, uint ssrc)
    {
        RtcpFeedbackKind kind = Classify(packet);
        switch (kind)
        {
            case RtcpFeedbackKind.NotFeedback:
            case RtcpFeedbackKind.ReceiverEstimatedMaxBitrate:
                return false;

            case RtcpFeedbackKind.FullIntraRequest:
                {
                    RtcpHeader.TryParse(packet, out RtcpHeader header);
                    for (int offset = MinimumSize; offset + FirEntry.Size <= header.ContentSize; offset += FirEntry.Size)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(packet[offset..], ssrc);
                    }

                    return true;
                }

            default:
                BinaryPrimitives.WriteUInt32BigEndian(packet[8..], ssrc);
                return true;
        }
    }

    /// <summary>Writes the common header and both SSRCs of a feedback message of <paramref name="size"/> bytes.</summary>
    internal static void WriteCommon(Span<byte> destination, int format, RtcpPacketType type, int size, uint senderSsrc, uint mediaSsrc)
    {
        RtcpHeader.Write(destination, format, type, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
    }
}
