using System.Buffers.Binary;
using System.Text;
using Sfu.Core.Rtp;

namespace Sfu.Core.Tests.Streams;

/// <summary>Plain RTP packets for stream tests, written byte by byte (RFC 3550 §5.1).</summary>
internal static class StreamPackets
{
    /// <summary>12-byte header, then <paramref name="payload"/>.</summary>
    public static byte[] Rtp(uint ssrc, ushort sequenceNumber, uint timestamp, byte payloadType, params byte[] payload)
    {
        var packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        payload.CopyTo(packet, 12);
        return packet;
    }

    /// <summary>A VP8 packet starting a frame: descriptor S=1 PID=0, then the frame tag (P=0 key, P=1 delta; RFC 7741 §4.3).</summary>
    public static byte[] Vp8(uint ssrc, ushort sequenceNumber, bool keyframe)
        => Rtp(ssrc, sequenceNumber, 3000u * sequenceNumber, 96, 0x10, keyframe ? (byte)0x00 : (byte)0x01, 0x02, 0x03, 0x04);

    /// <summary>The RTX packet (RFC 4588 §4) carrying <paramref name="original"/>: its sequence number first, then its payload.</summary>
    public static byte[] Rtx(byte[] original, uint rtxSsrc, ushort rtxSequenceNumber, byte rtxPayloadType)
    {
        RtpPacket.TryParse(original, out RtpPacket view);
        var payload = new byte[2 + view.Payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, view.SequenceNumber);
        view.Payload.CopyTo(payload.AsSpan(2));
        return Rtp(rtxSsrc, rtxSequenceNumber, view.Timestamp, rtxPayloadType, payload);
    }

    public static RtpPacket View(byte[] packet)
    {
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet, out RtpPacket view));
        return view;
    }

    /// <summary>
    /// A VP8 packet of one simulcast layer as Chromium sends it: one-byte header extensions
    /// (RFC 8285 §4.2) with the section's mid and the layer's rid (RFC 8852), and on a keyframe
    /// the frame size in the VP8 frame header (RFC 6386 §9.1).
    /// </summary>
    /// <param name="picture">When given, the descriptor carries a 15-bit PictureID and a TL0PICIDX (RFC 7741 §4.2), as libwebrtc sends them.</param>
    public static byte[] Vp8Layer(uint ssrc, ushort sequenceNumber, uint timestamp, bool keyframe, string rid, int width, int height, byte midId = 9, byte ridId = 10, string mid = "1", (ushort PictureId, byte Tl0PicIdx)? picture = null)
    {
        byte[] frame = keyframe
            ? [0x10, 0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0xAB]
            : [0x10, 0x01, 0x00, 0x00, 0xCD];
        if (picture is (ushort pictureId, byte tl0))
        {
            // X set, then I and L: the PictureID with its M bit, and the TL0PICIDX.
            frame = [0x90, 0xC0, (byte)(0x80 | (pictureId >> 8)), (byte)pictureId, tl0, .. frame[1..]];
        }

        return WithExtensions(ssrc, sequenceNumber, timestamp, 96, [(midId, Encoding.ASCII.GetBytes(mid)), (ridId, Encoding.ASCII.GetBytes(rid))], frame);
    }

    /// <summary>
    /// An RTP packet with one-byte header extensions (RFC 8285 §4.2), each (id, value of 1 to 16
    /// bytes), then <paramref name="payload"/> and <paramref name="padding"/> bytes of RTP
    /// padding (RFC 3550 §5.1: P set, the last byte counts them).
    /// </summary>
    public static byte[] WithExtensions(uint ssrc, ushort sequenceNumber, uint timestamp, byte payloadType, IReadOnlyList<(byte Id, byte[] Value)> extensions, byte[] payload, int padding = 0)
    {
        var block = new List<byte>();
        foreach ((byte id, byte[] value) in extensions)
        {
            block.Add((byte)((id << 4) | (value.Length - 1)));
            block.AddRange(value);
        }

        while (block.Count % 4 != 0)
        {
            block.Add(0);
        }

        var packet = new byte[12 + 4 + block.Count + payload.Length + padding];
        packet[0] = (byte)(padding > 0 ? 0xB0 : 0x90);
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        packet[12] = 0xBE;
        packet[13] = 0xDE;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14), (ushort)(block.Count / 4));
        block.CopyTo(packet, 16);
        payload.CopyTo(packet, 16 + block.Count);
        if (padding > 0)
        {
            packet[^1] = (byte)padding;
        }

        return packet;
    }
}
