namespace Sfu.Testing;

/// <summary>
/// How many bytes a piece of code allocates on the GC heap, measured on the current thread
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), so other threads' work does not count.
/// Shared by every test project that checks a zero-allocation path.
/// </summary>
public static class Allocations
{
    /// <summary>Measured rounds; the least is reported.</summary>
    private const int Rounds = 3;

    /// <summary>
    /// Runs <paramref name="run"/> <paramref name="warmUp"/> times first (the JIT's first calls,
    /// static initialisation and buffers that grow once to their size are not what is measured),
    /// then <paramref name="iterations"/> times more, three rounds, and returns the bytes
    /// allocated on this thread in the round that allocated least. Code that allocates per call
    /// shows in every round; a one-off runtime event (a method's recompilation by the tiered
    /// JIT, seen here as a few kilobytes once in a hundred runs) shows in one round at most.
    /// <paramref name="run"/> gets the iteration number, counting on from the warm-up: 0 to
    /// <paramref name="warmUp"/> − 1, then <paramref name="warmUp"/> onwards.
    /// </summary>
    public static long Measure(Action<int> run, int iterations = 1000, int warmUp = 100)
    {
        ArgumentNullException.ThrowIfNull(run);
        for (int i = 0; i < warmUp; i++)
        {
            run(i);
        }

        long least = long.MaxValue;
        int next = warmUp;
        for (int round = 0; round < Rounds && least > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < iterations; i++)
            {
                run(next++);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }

    /// <inheritdoc cref="Measure(Action{int}, int, int)"/>
    public static long Measure(Action run, int iterations = 1000, int warmUp = 100)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Measure(_ => run(), iterations, warmUp);
    }
}
