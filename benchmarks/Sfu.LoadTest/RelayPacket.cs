using System.Buffers.Binary;
using Sfu.Bots;

namespace Sfu.LoadTest;

/// <summary>The relay's packets: an RTP-shaped 12-byte header (the stream is the SSRC) and the send time in microseconds.</summary>
internal static class RelayPacket
{
    public const int MinLength = 20;

    public static int Write(Span<byte> destination, uint ssrc, ushort sequence, int length)
    {
        destination[..length].Clear();
        destination[0] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        BinaryPrimitives.WriteInt64BigEndian(destination[12..], BotClock.NowMicroseconds());
        return length;
    }

    public static (uint Ssrc, ushort Sequence, long SentMicroseconds) Read(ReadOnlySpan<byte> packet)
        => (BinaryPrimitives.ReadUInt32BigEndian(packet[8..]), BinaryPrimitives.ReadUInt16BigEndian(packet[2..]), BinaryPrimitives.ReadInt64BigEndian(packet[12..]));
}
