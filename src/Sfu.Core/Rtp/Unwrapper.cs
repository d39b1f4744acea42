using System.Numerics;
using System.Runtime.CompilerServices;

namespace Sfu.Core.Rtp;

/// <summary>
/// Extends a wrapping RTP counter — 16-bit sequence numbers, 32-bit timestamps — to 64 bits
/// by counting wrap-arounds (the "cycles" of RFC 3550 Appendix A.1). Each input is placed at
/// the signed distance (half the number space either way) from the highest value seen, so a
/// late or reordered value before a wrap lands in the old cycle and never moves the highest
/// value back. The first value is taken as-is; a late value from before it and across a wrap
/// yields a negative result. Not thread-safe: one per stream.
/// </summary>
/// <typeparam name="T"><see cref="ushort"/> for sequence numbers, <see cref="uint"/> for timestamps.</typeparam>
public sealed class Unwrapper<T>
    where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
{
    private static readonly int Shift = 64 - (Unsafe.SizeOf<T>() * 8);
    private bool _started;
    private long _highest;

    /// <summary>The highest extended value seen, or -1 before the first one.</summary>
    public long Highest => _started ? _highest : -1;

    /// <summary>Returns the extended value for <paramref name="value"/>.</summary>
    public long Unwrap(T value)
    {
        long raw = long.CreateTruncating(value);
        if (!_started)
        {
            _started = true;
            _highest = raw;
            return raw;
        }

        // The forward distance modulo 2^bits, read as a signed number of that width.
        long distance = ((raw - _highest) << Shift) >> Shift;
        long extended = _highest + distance;
        if (extended > _highest)
        {
            _highest = extended;
        }

        return extended;
    }

    /// <summary>Forgets all state (e.g. after an SSRC change).</summary>
    public void Reset()
    {
        _started = false;
        _highest = 0;
    }
}
