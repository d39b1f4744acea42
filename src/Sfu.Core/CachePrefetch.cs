using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Sfu.Core;

/// <summary>
/// Asks the CPU to bring an object's first cache lines in ahead of use (x86 <c>prefetcht0</c>),
/// so a fan-out's loop can start loading the next subscriber's state while it encrypts for the
/// current one. At a fan-out of hundreds each subscriber's objects have left the cache by its
/// next packet, and a profile of 1 → 200 shows most of the down-track's own time stalled on the
/// first read of each of them, one after the other.
/// </summary>
/// <remarks>
/// A prefetch is only a hint: it never faults and never changes what the program computes. The
/// address is read from the reference without pinning; should the GC move the object in between,
/// the hint merely warms a stale line. Elsewhere than x86 it does nothing.
/// </remarks>
internal static class CachePrefetch
{
    private const int LineSize = 64;

    /// <summary>Prefetches the first <paramref name="bytes"/> of <paramref name="target"/> (its header and leading fields).</summary>
    /// <remarks>
    /// An object starts anywhere on an 8-byte boundary, so its first 64 bytes usually straddle two
    /// lines: the last byte is hinted too, else a field near the end of the range (a send
    /// stream's SSRC at +0x38) was still a miss seven times in eight.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Object(object? target, int bytes = LineSize)
    {
        if (!Sse.IsSupported || target is null)
        {
            return;
        }

        byte* start = (byte*)Unsafe.As<object, nint>(ref target);
        for (int offset = 0; offset < bytes; offset += LineSize)
        {
            Sse.Prefetch0(start + offset);
        }

        Sse.Prefetch0(start + bytes - 1);
    }

    /// <summary>Prefetches the line holding <paramref name="array"/>[<paramref name="index"/>].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Element<T>(T[] array, int index)
        where T : struct
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        Sse.Prefetch0(Unsafe.AsPointer(ref array[index]));
    }
}
