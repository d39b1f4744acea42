using System.Buffers.Binary;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// Fixed media for every benchmark: a VP8 video packet shaped like Chromium's, fixed SRTP keys
/// and one subscriber's extension-id map. Nothing here is random, so runs compare.
/// </summary>
/// <remarks>
/// The packet carries four one-byte header extensions (RFC 8285 §4.2), ids as in a typical
/// Chromium offer:
/// <code>
///  12-byte RTP header, X=1, PT=96 (VP8), SSRC 0x12345678
///  0xBEDE | length=3                       extension header (RFC 8285 §4.2)
///  [id 2, L=2] abs-send-time  3 bytes
///  [id 4, L=1] transport-cc   2 bytes
///  [id 9, L=0] sdes:mid       1 byte "0"
///  [id 3, L=0] video-orient.  1 byte
///  1 zero byte of padding                  11 bytes rounded up to 12
///  payload: VP8 descriptor S=1 PID=0, then a key frame tag (P=0), then filler
/// </code>
/// The subscriber map keeps abs-send-time, transport-cc and mid under other ids and drops
/// video orientation, so the rewriter both renumbers and removes.
/// </remarks>
internal static class TestMedia
{
    public const uint PublisherSsrc = 0x1234_5678;
    public const byte PublisherPayloadType = 96;
    public const byte SubscriberPayloadType = 98;

    /// <summary>Fixed header (12) plus the extension block (4 + 12).</summary>
    public const int VideoHeaderLength = 28;

    /// <summary>Where the video packet's transport-wide sequence number (extension id 4) sits.</summary>
    public const int VideoTransportCcOffset = 21;

    /// <summary>The MTU-sized packet the rewrite and fan-out benchmarks forward.</summary>
    public const int FullPacketLength = 1200;

    /// <summary>Payload of <see cref="FullPacketLength"/>.</summary>
    public const int FullPayloadLength = FullPacketLength - VideoHeaderLength;

    /// <summary>Bytes the receive path needs for any packet here plus its SRTP tag.</summary>
    public const int BufferLength = 2048;

    public const ushort FirstSequenceNumber = 1000;
    public const uint FirstTimestamp = 90_000;

    /// <summary>Builds the Chromium-shaped VP8 packet with <paramref name="payloadLength"/> payload bytes.</summary>
    public static byte[] VideoPacket(int payloadLength, ushort sequenceNumber = FirstSequenceNumber, uint timestamp = FirstTimestamp, uint ssrc = PublisherSsrc)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(payloadLength, 2);
        var packet = new byte[VideoHeaderLength + payloadLength];
        packet[0] = 0x90; // V=2, X=1
        packet[1] = PublisherPayloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);

        ReadOnlySpan<byte> extension =
        [
            0xBE, 0xDE, 0x00, 0x03,
            0x22, 0x12, 0x34, 0x56, // id 2, 3 bytes: abs-send-time
            0x41, 0x00, 0x07,       // id 4, 2 bytes: transport-wide sequence number
            0x90, (byte)'0',        // id 9, 1 byte: mid
            0x30, 0x01,             // id 3, 1 byte: video orientation
            0x00,                   // padding to the 32-bit boundary
        ];
        extension.CopyTo(packet.AsSpan(12));

        Span<byte> payload = packet.AsSpan(VideoHeaderLength);
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(i * 7);
        }

        payload[0] = 0x10; // VP8 descriptor: S=1, PID=0 (RFC 7741 §4.2)
        payload[1] = 0x00; // frame tag: P=0 is a key frame (RFC 7741 §4.3)
        return packet;
    }

    /// <summary>
    /// A 20 ms Opus packet of 80 bytes with the RFC 6464 audio level (id 1, voice, -20 dBov),
    /// as a publisher that negotiated the extension sends it.
    /// </summary>
    public static byte[] AudioPacket(uint ssrc)
    {
        var packet = new byte[12 + 8 + 80];
        packet[0] = 0x90; // V=2, X=1
        packet[1] = 111;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), FirstSequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 48_000);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        ReadOnlySpan<byte> extension = [0xBE, 0xDE, 0x00, 0x01, 0x10, 0x80 | 20, 0x00, 0x00];
        extension.CopyTo(packet.AsSpan(12));
        for (int i = 20; i < packet.Length; i++)
        {
            packet[i] = (byte)(i * 13);
        }

        return packet;
    }

    /// <summary>The subscriber's ids: 2→3, 4→5, 9→1; 3 (video orientation) is not negotiated.</summary>
    public static ExtensionIdMap SubscriberExtensionMap()
    {
        var map = default(ExtensionIdMap);
        map.Set(2, 3);
        map.Set(4, 5);
        map.Set(9, 1);
        return map;
    }

    /// <summary>A context keyed from <paramref name="seed"/>; the same seed gives the same keys on both sides.</summary>
    public static SrtpContext CreateContext(SrtpProfile profile, byte seed)
    {
        Span<byte> key = stackalloc byte[profile.MasterKeyLength()];
        Span<byte> salt = stackalloc byte[profile.MasterSaltLength()];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = (byte)(seed + i);
        }

        for (int i = 0; i < salt.Length; i++)
        {
            salt[i] = (byte)(seed ^ (0xA0 + i));
        }

        return SrtpContext.Create(profile, key, salt);
    }
}
