using System.Buffers.Binary;
using Sfu.Core.Rtp;

namespace Sfu.Core.Routing;

/// <summary>
/// One subscriber's VP8 PictureID and TL0PICIDX (RFC 7741 §4.2) across the simulcast layers it
/// is switched between. Each layer is its own encoder with its own counters (libwebrtc starts
/// each at a random value), so forwarded as they are, a switch makes both jump anywhere: the
/// receiver's VP8 reference finder then holds back the frames after the new layer's keyframe as
/// waiting for pictures that never come (its frame counters stop, with no packet lost), until
/// some later keyframe. At a switch the new layer's numbers are offset to continue the last ones
/// sent (as mediasoup's and Janus's VP8 simulcast do); within a layer the offset stays, so its
/// own gaps (frames not sent) still show. Rewrites the subscriber's copy in place; allocated with
/// the down-track, nothing per packet. Media path only (the room's media gate).
/// </summary>
internal sealed class Vp8PictureNumbering(int layerCount)
{
    private const int PictureIdMask = 0x7FFF;

    private readonly int[] _pictureIdOffset = new int[layerCount];
    private readonly int[] _tl0Offset = new int[layerCount];
    private int _layer = -1;
    private int _lastPictureId = -1;
    private int _lastTl0PicIdx = -1;

    /// <summary>
    /// Renumbers one forwarded packet's descriptor. <paramref name="switched"/>: the first packet
    /// on <paramref name="layer"/> after forwarding moved to it (a keyframe's first packet).
    /// </summary>
    public void Rewrite(Span<byte> payload, int layer, bool switched)
    {
        if ((uint)layer >= (uint)_pictureIdOffset.Length
            || !Vp8Descriptor.TryLocatePictureIndices(payload, out int pictureIdAt, out bool longPictureId, out int tl0At))
        {
            return;
        }

        if (switched && _layer >= 0 && layer != _layer)
        {
            // The new layer's picture continues from the last one sent: one picture and (its
            // keyframe being a base-layer picture) one TL0 index further.
            if (pictureIdAt >= 0 && _lastPictureId >= 0)
            {
                _pictureIdOffset[layer] = (_lastPictureId + 1 - ReadPictureId(payload, pictureIdAt, longPictureId)) & PictureIdMask;
            }

            if (tl0At >= 0 && _lastTl0PicIdx >= 0)
            {
                _tl0Offset[layer] = (_lastTl0PicIdx + 1 - payload[tl0At]) & 0xFF;
            }
        }

        if (_layer < 0 || switched)
        {
            _layer = layer;
        }

        (int pictureId, int tl0) = Write(payload, layer, pictureIdAt, longPictureId, tl0At);
        if (layer != _layer)
        {
            return;
        }

        // The newest numbers sent, not the last: a reordered packet is older.
        if (pictureId >= 0 && (_lastPictureId < 0 || ((pictureId - _lastPictureId) & PictureIdMask) < 0x4000))
        {
            _lastPictureId = pictureId;
        }

        if (tl0 >= 0 && (_lastTl0PicIdx < 0 || ((tl0 - _lastTl0PicIdx) & 0xFF) < 0x80))
        {
            _lastTl0PicIdx = tl0;
        }
    }

    /// <summary>A resend of a packet of <paramref name="layer"/>: numbered with that layer's offsets, as it was first.</summary>
    public void RewriteResend(Span<byte> payload, int layer)
    {
        if ((uint)layer < (uint)_pictureIdOffset.Length
            && Vp8Descriptor.TryLocatePictureIndices(payload, out int pictureIdAt, out bool longPictureId, out int tl0At))
        {
            Write(payload, layer, pictureIdAt, longPictureId, tl0At);
        }
    }

    private (int PictureId, int Tl0PicIdx) Write(Span<byte> payload, int layer, int pictureIdAt, bool longPictureId, int tl0At)
    {
        int pictureId = -1;
        int tl0 = -1;
        if (pictureIdAt >= 0)
        {
            pictureId = (ReadPictureId(payload, pictureIdAt, longPictureId) + _pictureIdOffset[layer]) & (longPictureId ? PictureIdMask : 0x7F);
            if (longPictureId)
            {
                BinaryPrimitives.WriteUInt16BigEndian(payload[pictureIdAt..], (ushort)(0x8000 | pictureId));
            }
            else
            {
                payload[pictureIdAt] = (byte)pictureId;
            }
        }

        if (tl0At >= 0)
        {
            tl0 = (payload[tl0At] + _tl0Offset[layer]) & 0xFF;
            payload[tl0At] = (byte)tl0;
        }

        return (pictureId, tl0);
    }

    private static int ReadPictureId(ReadOnlySpan<byte> payload, int at, bool longPictureId)
        => longPictureId ? BinaryPrimitives.ReadUInt16BigEndian(payload[at..]) & PictureIdMask : payload[at] & 0x7F;
}
