namespace Sfu.Bots;

/// <summary>
/// The abs-send-time RTP header extension (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time):
/// a 24-bit 6.18 fixed-point number of seconds, so it wraps every 64 s.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  ID   | len=2 |              absolute send time               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The bots stamp audio with the sender's wall clock here. The SFU forwards this extension
/// unchanged (it only renumbers the id), so a receiving bot on the same clock can subtract it
/// from its own clock: that is the one-way latency, valid as long as it is below 64 s.
/// </remarks>
internal static class AbsSendTime
{
    public const int Length = 3;
    private const int Mask = 0xFF_FFFF;
    private const long MicrosPerSecond = 1_000_000;

    /// <summary>Encodes a time in microseconds as 6.18 fixed-point seconds, modulo 64 s.</summary>
    public static uint FromMicroseconds(long micros)
    {
        long seconds = micros / MicrosPerSecond;
        long fraction = ((micros % MicrosPerSecond) << 18) / MicrosPerSecond;
        return (uint)(((seconds << 18) | fraction) & Mask);
    }

    /// <summary>Microseconds from <paramref name="sent"/> to <paramref name="now"/>, both 6.18 values, assuming less than 64 s passed.</summary>
    public static long ElapsedMicroseconds(uint sent, uint now)
    {
        long delta = (now - sent) & Mask;
        return (delta * MicrosPerSecond) >> 18;
    }

    public static void Write(Span<byte> destination, uint value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }

    public static uint Read(ReadOnlySpan<byte> source)
        => (uint)((source[0] << 16) | (source[1] << 8) | source[2]);
}
