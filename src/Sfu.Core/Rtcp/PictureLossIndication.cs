using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Picture loss indication, PSFB (PT 206) FMT 1 (RFC 4585 §6.3.1): the common feedback
/// header with no FCI, so always 12 bytes (length field 2).
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| FMT=1   |    PT=206     |          length=2             |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly ref struct PictureLossIndication
{
    /// <summary>Size of a PLI.</summary>
    public const int Size = RtcpFeedback.MinimumSize;

    /// <summary>The FMT value of a PLI.</summary>
    public const int Format = 1;

    private PictureLossIndication(uint senderSsrc, uint mediaSsrc)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
    }

    /// <summary>Who asks for the picture.</summary>
    public uint SenderSsrc { get; }

    /// <summary>The stream that needs a new keyframe.</summary>
    public uint MediaSsrc { get; }

    /// <summary>Reads a PLI at the start of <paramref name="packet"/>; false when malformed or another message.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out PictureLossIndication pli)
    {
        pli = default;
        if (!RtcpHeader.TryParseContent(packet, RtcpPacketType.PayloadFeedback, Size, out RtcpHeader header, out ReadOnlySpan<byte> content)
            || header.Format != Format)
        {
            return false;
        }

        pli = new PictureLossIndication(
            BinaryPrimitives.ReadUInt32BigEndian(content[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(content[8..]));
        return true;
    }

    /// <summary>Writes a PLI; returns 12, or -1 when <paramref name="destination"/> is too small.</summary>
    public static int TryWrite(Span<byte> destination, uint senderSsrc, uint mediaSsrc)
    {
        if (destination.Length < Size)
        {
            return -1;
        }

        RtcpFeedback.WriteCommon(destination, Format, RtcpPacketType.PayloadFeedback, Size, senderSsrc, mediaSsrc);
        return Size;
    }
}
