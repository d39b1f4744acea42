namespace Sfu.LoadTest.Tests;

/// <summary>
/// Tests that put a queue on the namespace's loopback (<see cref="Sfu.Bots.LoopbackShaper"/>): every other
/// test's packets would pass through it too, so these run alone.
/// </summary>
[CollectionDefinition(nameof(ShapesLoopback), DisableParallelization = true)]
public sealed class ShapesLoopback;
