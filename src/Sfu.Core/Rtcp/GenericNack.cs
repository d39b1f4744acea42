using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Generic NACK, RTPFB (PT 205) FMT 1 (RFC 4585 §6.2.1).
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| FMT=1   |    PT=205     |          length               |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            PID                |             BLP               |  (one or more)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// PID is a lost packet; bit i of the bitmask of following lost packets (BLP) reports PID+i+1.
/// </summary>
public readonly ref struct GenericNack
{
    /// <summary>The FMT value of a generic NACK.</summary>
    public const int Format = 1;

    /// <summary>Size of one PID/BLP pair.</summary>
    public const int FciSize = 4;

    private readonly ReadOnlySpan<byte> _content;

    private GenericNack(ReadOnlySpan<byte> content) => _content = content;

    /// <summary>Who lost the packets.</summary>
    public uint SenderSsrc => BinaryPrimitives.ReadUInt32BigEndian(_content[4..]);

    /// <summary>The stream the packets belong to.</summary>
    public uint MediaSsrc => BinaryPrimitives.ReadUInt32BigEndian(_content[8..]);

    /// <summary>Number of PID/BLP pairs.</summary>
    public int PairCount => (_content.Length - RtcpFeedback.MinimumSize) / FciSize;

    /// <summary>Enumerates every lost sequence number the packet reports.</summary>
    public GenericNackEnumerator LostSequenceNumbers => new(_content[RtcpFeedback.MinimumSize..]);

    /// <summary>Reads pair <paramref name="index"/>.</summary>
    public (ushort PacketId, ushort Bitmask) GetPair(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, PairCount);
        ReadOnlySpan<byte> pair = _content[(RtcpFeedback.MinimumSize + (index * FciSize))..];
        return (BinaryPrimitives.ReadUInt16BigEndian(pair), BinaryPrimitives.ReadUInt16BigEndian(pair[2..]));
    }

    /// <summary>Reads a generic NACK; it must hold at least one pair (§6.2.1).</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out GenericNack nack)
    {
        nack = default;
        if (!RtcpHeader.TryParseContent(packet, RtcpPacketType.TransportFeedback, RtcpFeedback.MinimumSize + FciSize, out RtcpHeader header, out ReadOnlySpan<byte> content)
            || header.Format != Format)
        {
            return false;
        }

        nack = new GenericNack(content);
        return true;
    }

    /// <summary>Number of PID/BLP pairs <see cref="TryWrite"/> produces for <paramref name="lost"/>.</summary>
    public static int CountPairs(ReadOnlySpan<ushort> lost)
    {
        int pairs = 0;
        int i = 0;
        while (i < lost.Length)
        {
            i = NextPair(lost, i, out _, out _);
            pairs++;
        }

        return pairs;
    }

    /// <summary>
    /// Writes a NACK for <paramref name="lost"/> (at least one number), given in ascending
    /// order modulo 2^16. Each number within 16 after the current PID goes into its BLP;
    /// anything else starts a new pair; repeats are dropped. Returns the bytes written, or -1
    /// when <paramref name="destination"/> is too small.
    /// </summary>
    public static int TryWrite(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lost)
    {
        ArgumentOutOfRangeException.ThrowIfZero(lost.Length);
        int size = RtcpFeedback.MinimumSize + (FciSize * CountPairs(lost));
        if (destination.Length < size || size > 4 * (ushort.MaxValue + 1))
        {
            return -1;
        }

        RtcpFeedback.WriteCommon(destination, Format, RtcpPacketType.TransportFeedback, size, senderSsrc, mediaSsrc);
        int offset = RtcpFeedback.MinimumSize;
        int i = 0;
        while (i < lost.Length)
        {
            i = NextPair(lost, i, out ushort pid, out ushort blp);
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], pid);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], blp);
            offset += FciSize;
        }

        return size;
    }

    private static int NextPair(ReadOnlySpan<ushort> lost, int start, out ushort pid, out ushort blp)
    {
        pid = lost[start];
        blp = 0;
        int i = start + 1;
        for (; i < lost.Length; i++)
        {
            int distance = Rtp.RtpSequence.Distance(pid, lost[i]);
            if (distance is < 0 or > 16)
            {
                break;
            }

            if (distance > 0)
            {
                blp |= (ushort)(1 << (distance - 1));
            }
        }

        return i;
    }
}
