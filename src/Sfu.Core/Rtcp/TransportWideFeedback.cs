using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Transport-wide congestion control feedback, RTPFB (PT 205) FMT 15
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): for a run of transport-wide
/// sequence numbers, whether each packet arrived and when.
/// <code>
/// |V=2|P|  FMT=15 |    PT=205     |           length              |
/// |                     SSRC of packet sender                     |
/// |                      SSRC of media source                     |
/// |      base sequence number     |      packet status count      |
/// |                 reference time                | fb pkt. count |
/// |          packet chunk         |         packet chunk          |  ...
/// |         recv delta  ...       |  zero padding                  |
/// </code>
/// Reference time is a signed 24-bit count of 64 ms; each received packet has a delta from
/// the previous arrival in 250 µs units: one unsigned byte (status 1, "small") or two signed
/// bytes (status 2, "large or negative"). Chunks are either a run (T=0: 2-bit status, 13-bit
/// length) or a status vector (T=1: fourteen 1-bit or seven 2-bit symbols). <see cref="TryParse"/>
/// walks the chunks once to check that the deltas they announce are all there, so enumerating
/// cannot run past the packet however large the status count a peer claims.
/// </summary>
public readonly ref struct TransportWideFeedback
{
    /// <summary>The FMT value of transport-wide feedback.</summary>
    public const int Format = 15;

    /// <summary>Common feedback header, base, count, reference time and feedback count.</summary>
    public const int MinimumSize = RtcpFeedback.MinimumSize + 8;

    /// <summary>Microseconds in one reference-time unit (64 ms) and in one delta unit (250 µs).</summary>
    public const long ReferenceTimeUnitMicros = 64_000;

    public const long DeltaUnitMicros = 250;

    private readonly ReadOnlySpan<byte> _content;
    private readonly int _deltasOffset;

    private TransportWideFeedback(ReadOnlySpan<byte> content, int deltasOffset)
    {
        _content = content;
        _deltasOffset = deltasOffset;
    }

    public uint SenderSsrc => BinaryPrimitives.ReadUInt32BigEndian(_content[4..]);

    public uint MediaSsrc => BinaryPrimitives.ReadUInt32BigEndian(_content[8..]);

    public ushort BaseSequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_content[12..]);

    public int PacketStatusCount => BinaryPrimitives.ReadUInt16BigEndian(_content[14..]);

    /// <summary>Signed 24-bit reference time in 64 ms units.</summary>
    public int ReferenceTime => (BinaryPrimitives.ReadInt32BigEndian(_content[16..]) >> 8);

    /// <summary>Counts the feedback packets the receiver sent, modulo 256, to detect lost feedback.</summary>
    public byte FeedbackPacketCount => _content[19];

    /// <summary>Every packet the feedback reports on, in sequence order.</summary>
    public TransportWideFeedbackEnumerator Packets => new(_content, _deltasOffset, BaseSequenceNumber, PacketStatusCount, ReferenceTime * ReferenceTimeUnitMicros);

    /// <summary>Reads transport-wide feedback at the start of <paramref name="packet"/>; false when malformed or another message.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out TransportWideFeedback feedback)
    {
        feedback = default;
        if (!RtcpHeader.TryParseContent(packet, RtcpPacketType.TransportFeedback, MinimumSize, out RtcpHeader header, out ReadOnlySpan<byte> content)
            || header.Format != Format)
        {
            return false;
        }

        int count = BinaryPrimitives.ReadUInt16BigEndian(content[14..]);
        int offset = MinimumSize;
        int covered = 0;
        int deltaBytes = 0;
        while (covered < count)
        {
            if (offset + 2 > content.Length)
            {
                return false;
            }

            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(content[offset..]);
            offset += 2;
            int symbols = TransportWideChunk.SymbolCount(chunk);
            for (int i = 0; i < symbols && covered < count; i++, covered++)
            {
                deltaBytes += TransportWideChunk.DeltaSize(TransportWideChunk.Symbol(chunk, i));
            }
        }

        if (offset + deltaBytes > content.Length)
        {
            return false;
        }

        feedback = new TransportWideFeedback(content, offset);
        return true;
    }
}
