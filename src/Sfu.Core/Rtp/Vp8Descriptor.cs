using System.Buffers.Binary;

namespace Sfu.Core.Rtp;

/// <summary>
/// The VP8 payload descriptor (RFC 7741 §4.2) and the start of the VP8 frame it carries:
/// where the frame begins, and the size a keyframe declares (RFC 6386 §9.1). Only the first
/// packet of a frame (S=1, PID=0) holds the frame tag. Truncated input is "not found".
/// </summary>
public static class Vp8Descriptor
{
    /// <summary>Key frame start code after the 3-byte frame tag (RFC 6386 §9.1).</summary>
    private static ReadOnlySpan<byte> StartCode => [0x9D, 0x01, 0x2A];

    /// <summary>
    /// The offset of the VP8 frame tag when <paramref name="payload"/> starts a frame: the
    /// descriptor's S bit set and PID 0; -1 otherwise.
    /// </summary>
    public static int FrameOffset(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return -1;
        }

        byte descriptor = payload[0];
        if ((descriptor & 0x10) == 0 || (descriptor & 0x07) != 0)
        {
            return -1;
        }

        int offset = 1;
        if ((descriptor & 0x80) != 0)
        {
            if (offset >= payload.Length)
            {
                return -1;
            }

            byte extension = payload[offset++];
            if ((extension & 0x80) != 0)
            {
                // PictureID: 7 bits, or 15 bits when its M bit is set.
                if (offset >= payload.Length)
                {
                    return -1;
                }

                offset += (payload[offset] & 0x80) != 0 ? 2 : 1;
            }

            if ((extension & 0x40) != 0)
            {
                offset++; // TL0PICIDX
            }

            if ((extension & 0x30) != 0)
            {
                offset++; // TID|Y|KEYIDX
            }
        }

        return offset < payload.Length ? offset : -1;
    }

    /// <summary>
    /// Where the descriptor's PictureID and TL0PICIDX sit (RFC 7741 §4.2), so a forwarder can
    /// renumber them in place: <paramref name="pictureIdOffset"/> -1 when there is none, else its
    /// first byte (<paramref name="longPictureId"/>: 15 bits over two bytes with M set, else 7 bits);
    /// <paramref name="tl0PicIdxOffset"/> -1 when there is none. False when the descriptor is
    /// truncated or carries neither.
    /// </summary>
    public static bool TryLocatePictureIndices(ReadOnlySpan<byte> payload, out int pictureIdOffset, out bool longPictureId, out int tl0PicIdxOffset)
    {
        pictureIdOffset = -1;
        longPictureId = false;
        tl0PicIdxOffset = -1;
        if (payload.Length < 2 || (payload[0] & 0x80) == 0)
        {
            return false;
        }

        byte extension = payload[1];
        int offset = 2;
        if ((extension & 0x80) != 0)
        {
            if (offset >= payload.Length)
            {
                return false;
            }

            longPictureId = (payload[offset] & 0x80) != 0;
            pictureIdOffset = offset;
            offset += longPictureId ? 2 : 1;
        }

        if ((extension & 0x40) != 0)
        {
            tl0PicIdxOffset = offset;
            offset++;
        }

        return offset <= payload.Length && (pictureIdOffset >= 0 || tl0PicIdxOffset >= 0);
    }

    /// <summary>
    /// The width and height a keyframe declares: after the frame tag (3 bytes, P=0) and the start
    /// code, two little-endian 16-bit fields of 14 bits of size and 2 of scaling.
    /// </summary>
    public static bool TryGetKeyframeSize(ReadOnlySpan<byte> payload, out int width, out int height)
    {
        width = 0;
        height = 0;
        int offset = FrameOffset(payload);
        if (offset < 0 || (payload[offset] & 0x01) != 0 || payload.Length < offset + 10
            || !payload.Slice(offset + 3, 3).SequenceEqual(StartCode))
        {
            return false;
        }

        width = BinaryPrimitives.ReadUInt16LittleEndian(payload[(offset + 6)..]) & 0x3FFF;
        height = BinaryPrimitives.ReadUInt16LittleEndian(payload[(offset + 8)..]) & 0x3FFF;
        return width > 0 && height > 0;
    }
}
