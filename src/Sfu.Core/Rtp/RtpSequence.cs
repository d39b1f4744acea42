namespace Sfu.Core.Rtp;

/// <summary>
/// Serial-number arithmetic on RTP's wrapping counters: 16-bit sequence numbers and 32-bit
/// timestamps. A value is "newer" when it is less than half the number space ahead, the
/// same rule RFC 3550 Appendix A.1 applies with its unsigned 16-bit delta.
/// </summary>
public static class RtpSequence
{
    /// <summary>
    /// True when <paramref name="a"/> comes after <paramref name="b"/>. At exactly half the
    /// space apart the larger value wins, so exactly one of IsNewer(a,b)/IsNewer(b,a) holds.
    /// </summary>
    public static bool IsNewer(ushort a, ushort b)
    {
        ushort diff = unchecked((ushort)(a - b));
        return diff == 0x8000 ? a > b : diff != 0 && diff < 0x8000;
    }

    /// <summary>Same rule as <see cref="IsNewer(ushort, ushort)"/> for 32-bit timestamps.</summary>
    public static bool IsNewer(uint a, uint b)
    {
        uint diff = unchecked(a - b);
        return diff == 0x8000_0000u ? a > b : diff != 0 && diff < 0x8000_0000u;
    }

    /// <summary>Signed steps from <paramref name="from"/> to <paramref name="to"/> (positive when to is newer).</summary>
    public static int Distance(ushort from, ushort to) => unchecked((short)(ushort)(to - from));

    /// <summary>Signed ticks from <paramref name="from"/> to <paramref name="to"/> (positive when to is newer).</summary>
    public static long Distance(uint from, uint to) => unchecked((int)(to - from));
}
