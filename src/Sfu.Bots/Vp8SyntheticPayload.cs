using System.Buffers.Binary;

namespace Sfu.Bots;

/// <summary>
/// Builds and reads the payloads of the bots' synthetic VP8 stream: real RTP payload
/// descriptors (RFC 7741 §4.2) and VP8 frame headers (RFC 6386 §9.1), followed by made-up
/// frame bytes that carry the sender's clock so the receiver can measure latency.
/// </summary>
/// <remarks>
/// Every packet's payload is laid out as:
/// <code>
/// +-+-+-+-+-+-+-+-+
/// |X|R|N|S|R| PID | payload descriptor: S=1 only on the first packet of a frame, PID=0
/// +-+-+-+-+-+-+-+-+
/// | frame tag (3) | first packet only: P bit (0 = key frame), version, show_frame, size
/// | start code +  | first packet of a key frame only: 9d 01 2a, width, height (7 bytes)
/// |   dimensions  |
/// +-+-+-+-+-+-+-+-+
/// | send time (8) | sender wall clock, microseconds since the Unix epoch, big-endian
/// | frame no. (4) | frame counter, big-endian
/// | filler ...    |
/// +-+-+-+-+-+-+-+-+
/// </code>
/// The SFU only looks at the descriptor and the frame tag (to find key frames), so the rest is ours.
/// </remarks>
internal static class Vp8SyntheticPayload
{
    public const int DescriptorLength = 1;
    public const int InterFrameHeaderLength = 3;
    public const int KeyFrameHeaderLength = 10;
    public const int StampLength = 12;

    /// <summary>Smallest payload a packet can have (first packet of a key frame).</summary>
    public const int MinPayloadLength = DescriptorLength + KeyFrameHeaderLength + StampLength;

    /// <summary>The size key frames declare when the caller names none (a bot without simulcast).</summary>
    public const int DefaultWidth = 640;

    public const int DefaultHeight = 360;

    private const byte StartBit = 0x10;

    /// <summary>Writes one packet's payload of exactly <paramref name="length"/> bytes, key frames declaring 640×360.</summary>
    public static void Write(Span<byte> destination, int length, bool firstPacket, bool keyframe, int frameLength, long sendMicros, uint frameNumber)
        => Write(destination, length, firstPacket, keyframe, frameLength, sendMicros, frameNumber, DefaultWidth, DefaultHeight);

    /// <summary>
    /// Writes one packet's payload of exactly <paramref name="length"/> bytes; a key frame declares
    /// <paramref name="width"/> × <paramref name="height"/> (up to 16383 each, RFC 6386 §9.2), which
    /// is how a receiver tells simulcast layers apart from the payload alone.
    /// </summary>
    public static void Write(Span<byte> destination, int length, bool firstPacket, bool keyframe, int frameLength, long sendMicros, uint frameNumber, int width, int height)
    {
        Span<byte> payload = destination[..length];
        payload[0] = firstPacket ? StartBit : (byte)0;
        int offset = DescriptorLength;
        if (firstPacket)
        {
            // RFC 6386 §9.1: 3-byte little-endian tag; bit 0 is the inverse key frame flag,
            // bits 1-3 the version, bit 4 show_frame, bits 5-23 the first partition size.
            int firstPartition = Math.Min(Math.Max(frameLength - KeyFrameHeaderLength, 0), 0x7FFFF);
            int tag = (keyframe ? 0 : 1) | (1 << 4) | (firstPartition << 5);
            payload[offset] = (byte)tag;
            payload[offset + 1] = (byte)(tag >> 8);
            payload[offset + 2] = (byte)(tag >> 16);
            offset += InterFrameHeaderLength;
            if (keyframe)
            {
                // Key frames add the start code and 14-bit width/height with 2-bit scale (all zero).
                payload[offset] = 0x9D;
                payload[offset + 1] = 0x01;
                payload[offset + 2] = 0x2A;
                BinaryPrimitives.WriteUInt16LittleEndian(payload[(offset + 3)..], (ushort)(width & 0x3FFF));
                BinaryPrimitives.WriteUInt16LittleEndian(payload[(offset + 5)..], (ushort)(height & 0x3FFF));
                offset += KeyFrameHeaderLength - InterFrameHeaderLength;
            }
        }

        BinaryPrimitives.WriteInt64BigEndian(payload[offset..], sendMicros);
        BinaryPrimitives.WriteUInt32BigEndian(payload[(offset + 8)..], frameNumber);
        payload[(offset + StampLength)..].Fill((byte)frameNumber);
    }

    /// <summary>
    /// Reads the send time and frame number from any VP8 payload produced by <see cref="Write"/>,
    /// walking the full descriptor (RFC 7741 §4.2) so optional fields added by others are skipped.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out long sendMicros, out uint frameNumber, out bool keyframe)
    {
        sendMicros = 0;
        frameNumber = 0;
        keyframe = false;
        if (payload.IsEmpty)
        {
            return false;
        }

        byte descriptor = payload[0];
        int offset = 1;
        if ((descriptor & 0x80) != 0)
        {
            // X: an extension octet |I|L|T|K| RSV | follows, then PictureID (1 or 2 bytes, M bit), TL0PICIDX, TID/KEYIDX.
            if (payload.Length < 2)
            {
                return false;
            }

            byte extension = payload[1];
            offset = 2;
            if ((extension & 0x80) != 0)
            {
                if (payload.Length <= offset)
                {
                    return false;
                }

                offset += (payload[offset] & 0x80) != 0 ? 2 : 1;
            }

            if ((extension & 0x40) != 0)
            {
                offset++;
            }

            if ((extension & 0x30) != 0)
            {
                offset++;
            }
        }

        bool start = (descriptor & StartBit) != 0 && (descriptor & 0x07) == 0;
        if (start)
        {
            if (payload.Length < offset + InterFrameHeaderLength)
            {
                return false;
            }

            keyframe = (payload[offset] & 0x01) == 0;
            offset += keyframe ? KeyFrameHeaderLength : InterFrameHeaderLength;
        }

        if (payload.Length < offset + StampLength)
        {
            return false;
        }

        sendMicros = BinaryPrimitives.ReadInt64BigEndian(payload[offset..]);
        frameNumber = BinaryPrimitives.ReadUInt32BigEndian(payload[(offset + 8)..]);
        return true;
    }
}
