using System.Buffers.Binary;

namespace Sfu.Core.Rtp;

/// <summary>
/// Copies a publisher's RTP packet for one subscriber, translating header extension ids
/// through an <see cref="ExtensionIdMap"/> (RFC 8285 §5). Fixed header, CSRCs, payload and
/// padding are copied unchanged; only the extension block is rebuilt.
/// </summary>
public static class RtpPacketRewriter
{
    /// <summary>
    /// Writes the rewritten packet into <paramref name="destination"/> (which must not overlap
    /// <paramref name="source"/>) and returns its length, or -1 when the source is not a valid
    /// RTP packet or the destination is too small.
    /// <para>
    /// The one-byte form (§4.2) is used when every kept element has id 1..14 and 1..16 data
    /// bytes, the two-byte form (§4.3) otherwise. With no element left the block is omitted
    /// and X cleared. An extension block in an unknown profile cannot be translated and is dropped.
    /// </para>
    /// </summary>
    public static int CopyWithExtensionMap(ReadOnlySpan<byte> source, Span<byte> destination, in ExtensionIdMap map)
        => CopyWithExtensionMap(source, destination, map, 0, 0);

    /// <summary>
    /// As <see cref="CopyWithExtensionMap(ReadOnlySpan{byte}, Span{byte}, in ExtensionIdMap)"/>,
    /// and adds one element of our own after the kept ones: id <paramref name="appendId"/> (0:
    /// none) with the 2-byte value <paramref name="appendValue"/> — the transport-wide sequence
    /// number we give every packet toward one subscriber.
    /// </summary>
    public static int CopyWithExtensionMap(ReadOnlySpan<byte> source, Span<byte> destination, in ExtensionIdMap map, byte appendId, ushort appendValue)
    {
        if (RtpPacket.TryParse(source, out RtpPacket packet) != RtpParseResult.Ok)
        {
            return -1;
        }

        // First pass: which form, and how many bytes the new element list needs.
        int kept = appendId == 0 ? 0 : 1;
        int oneByteSize = appendId == 0 ? 0 : 3;
        int twoByteSize = appendId == 0 ? 0 : 4;
        bool needsTwoByte = appendId > 14;
        foreach (RtpHeaderExtension element in packet.Extensions)
        {
            byte target = map.Get(element.Id);
            if (target == 0)
            {
                continue;
            }

            int length = element.Value.Length;
            kept++;
            oneByteSize += 1 + length;
            twoByteSize += 2 + length;
            if (target > 14 || length is 0 or > 16)
            {
                needsTwoByte = true;
            }
        }

        int elementsSize = needsTwoByte ? twoByteSize : oneByteSize;
        int paddedElements = (elementsSize + 3) & ~3;
        int blockSize = kept == 0 ? 0 : 4 + paddedElements;
        if (blockSize > 4 + (4 * ushort.MaxValue))
        {
            return -1;
        }

        int csrcEnd = RtpPacket.FixedHeaderLength + (4 * packet.CsrcCount);
        ReadOnlySpan<byte> tail = source[packet.HeaderLength..]; // payload + padding
        int total = csrcEnd + blockSize + tail.Length;
        if (total > destination.Length)
        {
            return -1;
        }

        source[..csrcEnd].CopyTo(destination);
        destination[0] = kept == 0 ? (byte)(destination[0] & ~0x10) : (byte)(destination[0] | 0x10);

        if (kept != 0)
        {
            Span<byte> block = destination.Slice(csrcEnd, blockSize);
            BinaryPrimitives.WriteUInt16BigEndian(block, needsTwoByte ? (ushort)0x1000 : RtpPacket.OneByteExtensionProfile);
            BinaryPrimitives.WriteUInt16BigEndian(block[2..], (ushort)(paddedElements / 4));

            int offset = 4;
            foreach (RtpHeaderExtension element in packet.Extensions)
            {
                byte target = map.Get(element.Id);
                if (target == 0)
                {
                    continue;
                }

                int length = element.Value.Length;
                if (needsTwoByte)
                {
                    block[offset++] = target;
                    block[offset++] = (byte)length;
                }
                else
                {
                    block[offset++] = (byte)((target << 4) | (length - 1));
                }

                element.Value.CopyTo(block[offset..]);
                offset += length;
            }

            if (appendId != 0)
            {
                if (needsTwoByte)
                {
                    block[offset++] = appendId;
                    block[offset++] = 2;
                }
                else
                {
                    block[offset++] = (byte)((appendId << 4) | 1);
                }

                BinaryPrimitives.WriteUInt16BigEndian(block[offset..], appendValue);
                offset += 2;
            }

            // Trailing zero bytes are padding in both forms.
            block[offset..].Clear();
        }

        tail.CopyTo(destination[(csrcEnd + blockSize)..]);
        return total;
    }
}
