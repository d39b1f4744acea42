namespace Sfu.Core.Rtcp;

/// <summary>
/// The 64-bit NTP timestamp RTCP sender reports carry (RFC 3550 §4): seconds since
/// 1900-01-01 in the high 32 bits, the fraction of a second in the low 32.
/// </summary>
public static class NtpTime
{
    private static readonly DateTimeOffset Epoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ulong FromDateTime(DateTimeOffset time)
    {
        TimeSpan since = time - Epoch;
        ulong seconds = (ulong)since.Ticks / TimeSpan.TicksPerSecond;
        ulong remainder = (ulong)since.Ticks % TimeSpan.TicksPerSecond;
        ulong fraction = (remainder << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    /// <summary>The middle 32 bits: the compact form receivers echo as LSR (§6.4.1).</summary>
    public static uint Compact(ulong ntpTimestamp) => (uint)(ntpTimestamp >> 16);
}
