namespace Sfu.Testing;

/// <summary>
/// Measures what a piece of code allocates on the calling thread: it is warmed up first (JIT,
/// lazy buffers, first-use caches), then run <c>iterations</c> times between two readings of
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/>. Zero means nothing was allocated per
/// call; any steady allocation shows as at least one object's size.
/// </summary>
public static class Allocations
{
    public static long Measure(Action action, int iterations = 1000, int warmup = 100)
    {
        ArgumentNullException.ThrowIfNull(action);
        for (int i = 0; i < warmup; i++)
        {
            action();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < iterations; i++)
        {
            action();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
