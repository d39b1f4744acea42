using BenchmarkDotNet.Attributes;

namespace Sfu.Benchmarks;

/// <summary>
/// What the benchmarks of a <see cref="BenchRoom"/> share: the room the derived class makes in
/// its global setup, its rings refilled before each iteration, and its disposal.
/// </summary>
public abstract class BenchRoomBenchmarks : IDisposable
{
    private BenchRoom? _room;

    /// <summary>The room, for the benchmark calls and the smoke tests.</summary>
    internal BenchRoom Room => _room ?? throw new InvalidOperationException("The benchmark's global setup has not run.");

    [IterationSetup]
    public void Refill() => Room.Refill();

    [GlobalCleanup]
    public void Dispose()
    {
        _room?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _room = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Takes <paramref name="room"/> as this benchmark's room (global setup).</summary>
    private protected BenchRoom Use(BenchRoom room) => _room = room;
}
