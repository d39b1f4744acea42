using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Receiver estimated maximum bitrate, PSFB (PT 206) FMT 15 application layer feedback
/// (draft-alvestrand-rmcat-remb-03 §2.2).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| FMT=15  |   PT=206      |             length            |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source (0)                     |
/// |  Unique identifier 'R' 'E' 'M' 'B'                            |
/// |  Num SSRC     | BR Exp    |  BR Mantissa                      |
/// |   SSRC feedback                                               |
/// |  ...                                                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The bitrate in bits per second is mantissa (18 bits) × 2^exp (6 bits).
/// </summary>
public readonly ref struct ReceiverEstimatedMaxBitrate
{
    /// <summary>The FMT value of application layer feedback.</summary>
    public const int Format = 15;

    /// <summary>Size with an empty SSRC list.</summary>
    public const int MinimumSize = RtcpFeedback.MinimumSize + 8;

    private const uint MaxMantissa = (1u << 18) - 1;

    private readonly ReadOnlySpan<byte> _content;

    private ReceiverEstimatedMaxBitrate(ReadOnlySpan<byte> content) => _content = content;

    /// <summary>Who estimated the bitrate.</summary>
    public uint SenderSsrc => BinaryPrimitives.ReadUInt32BigEndian(_content[4..]);

    /// <summary>Number of SSRCs the estimate applies to.</summary>
    public int SsrcCount => _content[16];

    /// <summary>6-bit exponent.</summary>
    public int Exponent => _content[17] >> 2;

    /// <summary>18-bit mantissa.</summary>
    public uint Mantissa => BinaryPrimitives.ReadUInt32BigEndian(_content[16..]) & MaxMantissa;

    /// <summary>Estimated bitrate in bits per second, saturating at <see cref="ulong.MaxValue"/>.</summary>
    public ulong Bitrate => Decode(Exponent, Mantissa);

    /// <summary>Reads SSRC <paramref name="index"/> of the feedback list.</summary>
    public uint GetSsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_content[(MinimumSize + (4 * index))..]);
    }

    /// <summary>Reads a REMB: PSFB FMT 15 with the "REMB" identifier and all listed SSRCs present.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out ReceiverEstimatedMaxBitrate remb)
    {
        remb = default;
        if (!RtcpHeader.TryParseContent(packet, RtcpPacketType.PayloadFeedback, MinimumSize, out RtcpHeader header, out ReadOnlySpan<byte> content)
            || header.Format != Format
            || BinaryPrimitives.ReadUInt32BigEndian(content[RtcpFeedback.MinimumSize..]) != RtcpFeedback.RembIdentifier
            || content.Length < MinimumSize + (4 * content[16]))
        {
            return false;
        }

        remb = new ReceiverEstimatedMaxBitrate(content);
        return true;
    }

    /// <summary>
    /// Splits <paramref name="bitrate"/> into the smallest exponent whose mantissa fits 18
    /// bits; the low bits shifted out are dropped, so the encoded rate never overstates.
    /// </summary>
    public static (int Exponent, uint Mantissa) Encode(ulong bitrate)
    {
        int exponent = 0;
        while (bitrate > MaxMantissa)
        {
            bitrate >>= 1;
            exponent++;
        }

        return (exponent, (uint)bitrate);
    }

    /// <summary>mantissa × 2^exponent, saturating instead of overflowing.</summary>
    public static ulong Decode(int exponent, uint mantissa)
    {
        if (mantissa == 0)
        {
            return 0;
        }

        int bits = 32 - System.Numerics.BitOperations.LeadingZeroCount(mantissa); // significant bits
        return bits + exponent > 64 ? ulong.MaxValue : (ulong)mantissa << exponent;
    }

    /// <summary>Bytes <see cref="TryWrite"/> needs.</summary>
    public static int GetSize(int ssrcCount) => MinimumSize + (4 * ssrcCount);

    /// <summary>
    /// Writes a REMB for up to 255 SSRCs; returns the bytes written, or -1 when
    /// <paramref name="destination"/> is too small.
    /// </summary>
    public static int TryWrite(Span<byte> destination, uint senderSsrc, ulong bitrate, ReadOnlySpan<uint> ssrcs)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ssrcs.Length, 255);
        int size = GetSize(ssrcs.Length);
        if (destination.Length < size)
        {
            return -1;
        }

        // The media source field is unused and 0 (draft §2.2).
        RtcpFeedback.WriteCommon(destination, Format, RtcpPacketType.PayloadFeedback, size, senderSsrc, 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[RtcpFeedback.MinimumSize..], RtcpFeedback.RembIdentifier);
        (int exponent, uint mantissa) = Encode(bitrate);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], ((uint)ssrcs.Length << 24) | ((uint)exponent << 18) | mantissa);
        for (int i = 0; i < ssrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(MinimumSize + (4 * i))..], ssrcs[i]);
        }

        return size;
    }
}
